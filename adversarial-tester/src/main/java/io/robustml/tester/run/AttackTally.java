package io.robustml.tester.run;

import io.robustml.tester.attack.Norm;
import java.util.Arrays;

/**
 * Counts of one evasion attack, accumulated batch by batch. A success is counted only on an
 * example the model got right before the attack (untargeted: now wrong; targeted: now the target).
 */
final class AttackTally {
    final AttackPlan plan;
    int examples;
    int cleanCorrect;
    int robustCorrect;
    int successes;
    int flaggedSuccesses;
    boolean verdictsVisible = true;
    double perturbationSum;
    double perturbationMax;
    long queries;
    /** Transfer: the replayed adversarial examples the sidecar flagged. */
    long flaggedReplays;
    final ClassCounts perClass = new ClassCounts();
    /** Which examples (by position in the evaluation, the same for every attack) this attack broke. */
    final java.util.BitSet succeeded = new java.util.BitSet();
    private int[] queriesToSuccess = new int[64];
    private int[] firstFlags = new int[64];
    private int flaggedExamples;

    AttackTally(AttackPlan plan) {
        this.plan = plan;
    }

    /**
     * @param goals   true labels (untargeted) or target classes (targeted)
     * @param flagged whether each adversarial example (or any query of it) was flagged; null if not visible
     * @param queries queries per example; null for attacks computed offline (white-box)
     */
    void add(int[] labels, int[] goals, boolean targeted, int[] clean, int[] adversarial, boolean[] flagged,
            float[][] x, float[][] adv, int[] queries) {
        verdictsVisible &= flagged != null;
        for (int i = 0; i < labels.length; i++) {
            examples++;
            // Targeted: an example already of the target class has nothing to be pushed to; it is not counted.
            boolean wasCorrect = clean[i] == labels[i] && !(targeted && goals[i] == labels[i]);
            cleanCorrect += wasCorrect ? 1 : 0;
            robustCorrect += adversarial[i] == labels[i] ? 1 : 0;
            this.queries += queries == null ? 0 : queries[i];
            boolean success = wasCorrect && (targeted ? adversarial[i] == goals[i] : adversarial[i] != labels[i]);
            perClass.add(labels[i], wasCorrect, success, adversarial[i] == labels[i]);
            if (success) {
                succeeded.set(examples - 1);
                if (successes == queriesToSuccess.length) {
                    queriesToSuccess = Arrays.copyOf(queriesToSuccess, successes * 2);
                }
                queriesToSuccess[successes] = queries == null ? 0 : queries[i];
                successes++;
                flaggedSuccesses += flagged != null && flagged[i] ? 1 : 0;
                double d = plan.norm().distance(x[i], adv[i]);
                perturbationSum += d;
                perturbationMax = Math.max(perturbationMax, d);
            }
        }
    }

    /** Query attacks: the query at which each example was first flagged (1-based; 0 = never). */
    void addFirstFlags(int[] firstFlagged) {
        for (int q : firstFlagged) {
            if (q > 0) {
                if (flaggedExamples == firstFlags.length) {
                    firstFlags = Arrays.copyOf(firstFlags, flaggedExamples * 2);
                }
                firstFlags[flaggedExamples++] = q;
            }
        }
    }

    /** Median query of the first flag over the examples that were flagged; null when none was. */
    Integer medianQueriesToFirstFlag() {
        if (flaggedExamples == 0) {
            return null;
        }
        int[] sorted = Arrays.copyOf(firstFlags, flaggedExamples);
        Arrays.sort(sorted);
        return sorted[(flaggedExamples - 1) / 2];
    }

    double successRate() {
        return cleanCorrect == 0 ? 0 : (double) successes / cleanCorrect;
    }

    Integer medianQueriesToSuccess() {
        if (successes == 0) {
            return null;
        }
        int[] sorted = Arrays.copyOf(queriesToSuccess, successes);
        Arrays.sort(sorted);
        return sorted[(successes - 1) / 2];
    }

    Norm norm() {
        return plan.norm();
    }
}
