package io.robustml.tester.run;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The class each example is pushed to under a targeted threat model ({@code AttackSpec.targetClass}):
 * {@code random} (another class than the true one, from the seed), {@code leastLikely} (the class the
 * target scores lowest on the clean example: needs scores), a label name or a class index. Pure.
 */
final class TargetClasses {
    private TargetClasses() {
    }

    /** Refuses a target class that names no class, before any work starts. */
    static void check(String targetClass, List<String> labels) {
        if (targetClass == null || AttackPlan.RANDOM_TARGET.equals(targetClass) || AttackPlan.LEAST_LIKELY.equals(targetClass)) {
            return;
        }
        fixed(targetClass, labels, Integer.MAX_VALUE);
    }

    /** The class a label name or index stands for. */
    static int fixed(String targetClass, List<String> labels, int classes) {
        int index = labels.indexOf(targetClass);
        if (index < 0) {
            try {
                index = Integer.parseInt(targetClass);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("targetClass " + targetClass + " is neither random, leastLikely, a class index "
                        + "nor one of the labels " + labels);
            }
        }
        if (index < 0 || index >= classes || (!labels.isEmpty() && index >= labels.size())) {
            throw new IllegalArgumentException("targetClass " + targetClass + " is not a class of this model");
        }
        return index;
    }

    /** Random targets: per example a class other than its true one. */
    static int[] random(int[] labels, int classes, SplittableRandom random) {
        int[] t = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            t[i] = (labels[i] + 1 + random.nextInt(classes - 1)) % classes;
        }
        return t;
    }

    /**
     * @param randomGoals the batch's random targets (shared by every attack with targetClass random)
     * @param cleanScores the target's scores on the clean examples
     */
    static int[] goals(String targetClass, int[] labels, int[] randomGoals, float[][] cleanScores, List<String> classNames, int classes) {
        if (targetClass == null || AttackPlan.RANDOM_TARGET.equals(targetClass)) {
            return randomGoals;
        }
        int[] t = new int[labels.length];
        if (AttackPlan.LEAST_LIKELY.equals(targetClass)) {
            for (int i = 0; i < labels.length; i++) {
                float[] s = cleanScores[i];
                int worst = 0;
                for (int k = 1; k < s.length; k++) {
                    if (s[k] < s[worst]) {
                        worst = k;
                    }
                }
                t[i] = worst;
            }
            return t;
        }
        java.util.Arrays.fill(t, fixed(targetClass, classNames, classes));
        return t;
    }

    /** The name a class goes by in results: its label, else its index. */
    static String name(int index, List<String> labels) {
        return index < labels.size() ? labels.get(index) : Integer.toString(index);
    }
}
