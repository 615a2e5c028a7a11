package io.robustml.tester.run;

import io.robustml.crds.run.AdversarialTestRunStatus.FeatureSqueezingCalibration;
import io.robustml.oip.squeeze.Squeezers;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.Arrays;

/**
 * The feature-squeezing threshold for this revision: the sidecar scores each input by how much the
 * model's answer moves under bit-depth reduction and median smoothing, so the threshold that flags a
 * given share of clean traffic depends on the model, and a canary must not inherit its predecessor's.
 * Half the clean images (every other one) set the threshold, the other half measure the false-positive
 * rate it really has. The squeezers and the score are the sidecar's own ({@link Squeezers}, shared
 * through the oip module); the threshold rule is the sidecar's calibration tool's.
 */
public final class SqueezingCalibration {
    private SqueezingCalibration() {
    }

    public static FeatureSqueezingCalibration run(Target target, float[][] images, Geometry g, int bitDepth, int medianWindow,
            double targetFpr, int batchSize) throws IOException {
        return run(target, images, g, bitDepth, medianWindow, targetFpr, batchSize, 0f, 1f);
    }

    /** For images whose values range over [min, max] (model.input.range): the bit depth is reduced on that range. */
    public static FeatureSqueezingCalibration run(Target target, float[][] images, Geometry g, int bitDepth, int medianWindow,
            double targetFpr, int batchSize, float min, float max) throws IOException {
        if (images.length < 2) {
            throw new IllegalArgumentException("calibration needs at least two clean images");
        }
        double[] scores = scores(target, images, g, bitDepth, medianWindow, batchSize, min, max);
        double[] calibration = new double[(scores.length + 1) / 2];
        double[] heldOut = new double[scores.length / 2];
        for (int i = 0; i < scores.length; i++) {
            if (i % 2 == 0) {
                calibration[i / 2] = scores[i];
            } else {
                heldOut[i / 2] = scores[i];
            }
        }
        double threshold = threshold(calibration, targetFpr);
        return new FeatureSqueezingCalibration(threshold, targetFpr, flaggedFraction(heldOut, threshold), calibration.length,
                heldOut.length);
    }

    /** The sidecar's score of each image, from the target's answers to it and its two squeezed copies. */
    static double[] scores(Target target, float[][] images, Geometry g, int bitDepth, int medianWindow, int batchSize, float min,
            float max) throws IOException {
        boolean smooth = g.height() >= medianWindow && g.width() >= medianWindow;
        double[] scores = new double[images.length];
        for (int start = 0; start < images.length; start += batchSize) {
            int n = Math.min(batchSize, images.length - start);
            int copies = smooth ? 3 : 2;
            float[][] batch = new float[n * copies][];
            for (int i = 0; i < n; i++) {
                float[] x = images[start + i];
                batch[i] = x;
                batch[n + i] = Squeezers.bitDepth(x, bitDepth, min, max);
                if (smooth) {
                    batch[2 * n + i] = Squeezers.median(x, g.channels(), g.height(), g.width(), medianWindow);
                }
            }
            float[][] answers = target.classify(batch).scores();
            for (int i = 0; i < n; i++) {
                scores[start + i] = smooth ? Squeezers.score(answers[i], answers[n + i], answers[2 * n + i])
                        : Squeezers.score(answers[i], answers[n + i]);
            }
        }
        return scores;
    }

    /** The smallest threshold that flags at most {@code fpr} of the scores (flag when score > threshold). */
    static double threshold(double[] scores, double fpr) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int allowed = (int) Math.floor(fpr * sorted.length);
        return sorted[Math.max(0, sorted.length - 1 - allowed)];
    }

    static double flaggedFraction(double[] scores, double threshold) {
        return scores.length == 0 ? 0 : Arrays.stream(scores).filter(s -> s > threshold).count() / (double) scores.length;
    }
}
