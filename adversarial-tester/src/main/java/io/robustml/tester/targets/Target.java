package io.robustml.tester.targets;

import java.io.IOException;

/**
 * The system under test as a black-box attacker sees it: a batch of flat inputs in, one score
 * vector per input out (logits or probabilities: attacks only compare scores within a row).
 */
public interface Target {

    /** Scores for each input; each input counts as one query. */
    Answer classify(float[][] inputs) throws IOException;

    /** Inputs sent so far (the query count, M5). */
    long queries();

    /**
     * Judge this caller's later queries at this feature-squeezing threshold (the one calibrated on the
     * revision, which it will serve with): a sidecar honours it for the analysis' key only. No-op by default.
     */
    default void judgeSqueezingAt(double threshold) {
    }

    /**
     * Scores per input and, when the sidecar shows its verdicts to this caller, whether each input
     * was flagged ({@code null} when no verdicts are visible: detection is then not measured).
     */
    record Answer(float[][] scores, boolean[] flagged) {
        public int predicted(int row) {
            float[] s = scores[row];
            int best = 0;
            for (int k = 1; k < s.length; k++) {
                if (s[k] > s[best]) {
                    best = k;
                }
            }
            return best;
        }

        public int[] predictions() {
            int[] result = new int[scores.length];
            for (int i = 0; i < result.length; i++) {
                result[i] = predicted(i);
            }
            return result;
        }
    }
}
