package io.robustml.tester.run;

import io.robustml.crds.run.AdversarialTestRunStatus.QuerySimilarityCalibration;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.Fingerprints;

/**
 * The query-similarity match threshold for a target false-positive rate. Unlike feature squeezing it
 * does not depend on the model but on the clean traffic: natural images share windows (Fashion-MNIST's
 * black background most of all), so the count of hashes a benign query shares with its closest earlier
 * query is not zero, and a threshold fitted to other data flags too much or too little. The evaluation's
 * clean images go through the sidecar's own fingerprint and store code in order, each compared with all
 * earlier ones, as a stream of benign queries would; every other image sets the threshold, the rest
 * measure the rate it really flags. Pure: no target is queried.
 */
public final class SimilarityCalibration {
    private SimilarityCalibration() {
    }

    public static QuerySimilarityCalibration run(float[][] images, int windowSize, int quantization,
            double targetFpr) {
        if (images.length < 2) {
            throw new IllegalArgumentException("calibration needs at least two clean images");
        }
        int[] matches = matches(images, windowSize, quantization);
        int[] calibration = new int[(matches.length + 1) / 2];
        int[] heldOut = new int[matches.length / 2];
        for (int i = 0; i < matches.length; i++) {
            if (i % 2 == 0) {
                calibration[i / 2] = matches[i];
            } else {
                heldOut[i / 2] = matches[i];
            }
        }
        int threshold = threshold(calibration, targetFpr);
        return new QuerySimilarityCalibration(threshold, targetFpr, flaggedFraction(heldOut, threshold),
                calibration.length, heldOut.length);
    }

    /** For each image, the hashes it shares with its closest earlier image, as the sidecar counts them. */
    static int[] matches(float[][] images, int windowSize, int quantization) {
        FingerprintStore store = new FingerprintStore(images.length, Long.MAX_VALUE, Fingerprints.BUCKET_CAP);
        int[] matches = new int[images.length];
        for (int i = 0; i < images.length; i++) {
            matches[i] = store.matchAndAdd(Fingerprints.of(images[i], quantization, windowSize, Fingerprints.TOP_HASHES), 0);
        }
        return matches;
    }

    /**
     * The smallest threshold (flag when matches ≥ threshold, 1–50) that flags at most {@code fpr} of the
     * counts; 50 when even that flags more (only near-copies are then flagged, and the measured rate says so).
     */
    static int threshold(int[] matches, double fpr) {
        for (int t = 1; t < Fingerprints.TOP_HASHES; t++) {
            if (flaggedFraction(matches, t) <= fpr) {
                return t;
            }
        }
        return Fingerprints.TOP_HASHES;
    }

    static double flaggedFraction(int[] matches, int threshold) {
        if (matches.length == 0) {
            return 0;
        }
        int flagged = 0;
        for (int m : matches) {
            if (m >= threshold) {
                flagged++;
            }
        }
        return flagged / (double) matches.length;
    }
}
