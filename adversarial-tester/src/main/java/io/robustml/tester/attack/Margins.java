package io.robustml.tester.attack;

/** Score margins: how far a row of scores is from the attacker's goal (≤ 0 once it is reached). */
final class Margins {
    private Margins() {
    }

    /** Untargeted: score of the true class minus the best other. Targeted: best other minus the target's. */
    static float margin(float[] scores, int label, boolean targeted) {
        float other = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < scores.length; k++) {
            if (k != label) {
                other = Math.max(other, scores[k]);
            }
        }
        return targeted ? other - scores[label] : scores[label] - other;
    }

    static int argMax(float[] scores) {
        int best = 0;
        for (int k = 1; k < scores.length; k++) {
            if (scores[k] > scores[best]) {
                best = k;
            }
        }
        return best;
    }

    static boolean reached(float[] scores, int label, boolean targeted) {
        int predicted = argMax(scores);
        return targeted ? predicted == label : predicted != label;
    }
}
