package io.robustml.tester.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts per true class (examples, examples the attack could succeed on, successes, correct answers),
 * so an attack's result and the clean accuracy can be read class by class: a model can be robust on
 * average and broken on one class.
 */
final class ClassCounts {
    /** At most this many classes are reported: those with most examples. */
    static final int MAX_REPORTED = 20;

    private int[] examples = new int[0];
    private int[] attackable = new int[0];
    private int[] successes = new int[0];
    private int[] correct = new int[0];

    void add(int label, boolean attackable, boolean success, boolean correct) {
        if (label >= examples.length) {
            int size = Math.max(label + 1, examples.length * 2);
            examples = Arrays.copyOf(examples, size);
            this.attackable = Arrays.copyOf(this.attackable, size);
            successes = Arrays.copyOf(successes, size);
            this.correct = Arrays.copyOf(this.correct, size);
        }
        examples[label]++;
        this.attackable[label] += attackable ? 1 : 0;
        successes[label] += success ? 1 : 0;
        this.correct[label] += correct ? 1 : 0;
    }

    /** One class's counts and rates; successRate is null when no example of the class was attackable. */
    record Row(int label, int examples, int attackable, int successes, int correct) {
        Double successRate() {
            return attackable == 0 ? null : (double) successes / attackable;
        }

        double accuracy() {
            return examples == 0 ? 0 : (double) correct / examples;
        }
    }

    /** The classes with most examples (ties: lower index first), at most {@link #MAX_REPORTED}, in class order. */
    List<Row> rows() {
        List<Row> all = new ArrayList<>();
        for (int c = 0; c < examples.length; c++) {
            if (examples[c] > 0) {
                all.add(new Row(c, examples[c], attackable[c], successes[c], correct[c]));
            }
        }
        all.sort((a, b) -> a.examples() != b.examples() ? Integer.compare(b.examples(), a.examples()) : Integer.compare(a.label(), b.label()));
        List<Row> kept = new ArrayList<>(all.subList(0, Math.min(MAX_REPORTED, all.size())));
        kept.sort((a, b) -> Integer.compare(a.label(), b.label()));
        return kept;
    }
}
