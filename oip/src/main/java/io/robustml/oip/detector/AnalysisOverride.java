package io.robustml.oip.detector;

/**
 * What the analysis (and only the analysis: the operator's tester key) may ask of a sidecar for its own
 * requests: the feature-squeezing threshold to judge them at — the one it calibrated on this revision, which
 * the revision will serve with once promoted — so detection is measured at the threshold that will be in
 * force, not at none (a first release) or the stable revision's.
 */
public final class AnalysisOverride {
    public static final String SQUEEZING_THRESHOLD_HEADER = "X-RobustML-Analysis-Squeezing-Threshold";

    private AnalysisOverride() {
    }

    /** The header's threshold: a finite number in [0, 2] (the score's range); IllegalArgumentException otherwise. */
    public static double squeezingThreshold(String header) {
        double value;
        try {
            value = Double.parseDouble(header.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SQUEEZING_THRESHOLD_HEADER + " is not a number: " + header);
        }
        if (!(value >= 0 && value <= 2)) {
            throw new IllegalArgumentException(SQUEEZING_THRESHOLD_HEADER + " must be in [0, 2], got " + header);
        }
        return value;
    }
}
