package io.robustml.controllers.rollout;

import java.util.List;

/**
 * The judgement of one analysis. {@code violations} name every violated SLO with the measured value;
 * {@code missing} names what could not be judged (its presence alone makes the verdict Inconclusive,
 * never Passed); {@code notApplicable} names relative SLOs without a baseline (the first revision).
 */
public record Verdict(Outcome outcome, List<String> violations, List<String> missing, List<String> notApplicable) {
    public enum Outcome {
        PASSED("Passed"),
        FAILED("Failed"),
        INCONCLUSIVE("Inconclusive");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public static Verdict inconclusive(String why) {
        return new Verdict(Outcome.INCONCLUSIVE, List.of(), List.of(why), List.of());
    }

    /** One line for conditions and events. */
    public String summary() {
        return switch (outcome) {
            case PASSED -> "all SLOs met" + (notApplicable.isEmpty() ? "" : "; not applicable: " + String.join("; ", notApplicable));
            case FAILED -> "violated: " + String.join("; ", violations);
            case INCONCLUSIVE -> "inconclusive: " + String.join("; ", missing);
        };
    }
}
