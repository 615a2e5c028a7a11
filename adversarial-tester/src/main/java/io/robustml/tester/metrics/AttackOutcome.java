package io.robustml.tester.metrics;

/**
 * The headline numbers of one attack over a set of examples (seed metric M1).
 *
 * @param examples            examples evaluated
 * @param cleanCorrect        examples the model got right without attack
 * @param robustCorrect       examples the model still gets right under attack
 * @param successes           originally correct examples the attack made wrong
 */
public record AttackOutcome(int examples, int cleanCorrect, int robustCorrect, int successes) {

    /**
     * Counts outcomes from labels and predictions. An attack "succeeds" only on an example the model
     * classified correctly before the attack: examples already wrong say nothing about the attack.
     */
    public static AttackOutcome of(int[] labels, int[] cleanPredictions, int[] adversarialPredictions) {
        if (labels.length != cleanPredictions.length || labels.length != adversarialPredictions.length) {
            throw new IllegalArgumentException("labels and predictions differ in length: " + labels.length + ", "
                    + cleanPredictions.length + ", " + adversarialPredictions.length);
        }
        int clean = 0;
        int robust = 0;
        int successes = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean wasCorrect = cleanPredictions[i] == labels[i];
            boolean stillCorrect = adversarialPredictions[i] == labels[i];
            clean += wasCorrect ? 1 : 0;
            robust += stillCorrect ? 1 : 0;
            successes += wasCorrect && !stillCorrect ? 1 : 0;
        }
        return new AttackOutcome(labels.length, clean, robust, successes);
    }

    /** Successes over originally correct examples; 0 when the model got nothing right. */
    public double adversarialSuccessRate() {
        return cleanCorrect == 0 ? 0.0 : (double) successes / cleanCorrect;
    }

    public double cleanAccuracy() {
        return examples == 0 ? 0.0 : (double) cleanCorrect / examples;
    }

    public double robustAccuracy() {
        return examples == 0 ? 0.0 : (double) robustCorrect / examples;
    }
}
