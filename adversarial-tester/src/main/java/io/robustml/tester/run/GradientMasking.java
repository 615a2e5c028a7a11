package io.robustml.tester.run;

import io.robustml.crds.run.AdversarialTestRunStatus.AttackResult;
import io.robustml.crds.run.AdversarialTestRunStatus.Warning;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The sanity checks of Croce and Hein (AutoAttack, 2020) and Carlini et al. ("On evaluating
 * adversarial robustness", 2019) for gradient masking, applied to one run's results: a model that
 * only hides its gradients looks robust to PGD and falls to weaker or gradient-free attacks.
 * <ul>
 * <li>FGSM more successful than PGD at the same ε and norm (one step beats many: the gradient misleads);
 * <li>a black-box attack (square, hopskipjump, transfer) more successful than white-box PGD at the
 *     same ε and norm;
 * <li>success falling as ε grows, across attacks of the same type and norm (a larger ball contains
 *     every example of a smaller one).
 * </ul>
 * Pure: reports in, warnings out. Skipped attacks and adaptive PGD (a different objective) are left out.
 * <p>
 * Every attack runs on the same examples, so with each attack's broken examples at hand the comparison
 * is paired (McNemar's exact test): the weaker attack must break significantly more examples that the
 * stronger one left standing than the other way round (one-sided binomial on the discordant examples,
 * p &lt; {@value #SIGNIFICANCE}). A one- or two-example difference is sampling noise, not masking, and
 * does not warn. Without per-example outcomes the rates are compared strictly.
 */
public final class GradientMasking {
    public static final String REASON = "GradientMasking";
    static final double SIGNIFICANCE = 0.05;

    private GradientMasking() {
    }

    public static List<Warning> warnings(List<AttackResult> attacks) {
        return warnings(attacks, Map.of());
    }

    /** As above; {@code broken}: each attack's broken examples by name (paired test where both sides have them). */
    public static List<Warning> warnings(List<AttackResult> attacks,
            Map<String, BitSet> broken) {
        List<AttackResult> ran = attacks.stream()
                .filter(a -> a.skipped() == null && a.adversarialSuccessRate() != null && a.epsilon() != null && a.norm() != null)
                .filter(a -> !a.name().endsWith("-adaptive"))
                .toList();
        List<Warning> warnings = new ArrayList<>();
        for (AttackResult pgd : ran) {
            if (!"pgd".equals(pgd.type())) {
                continue;
            }
            for (AttackResult other : ran) {
                if (!sameBall(pgd, other)) {
                    continue;
                }
                Optional<String> beaten = beats(other, pgd, broken);
                if (beaten.isEmpty()) {
                    continue;
                }
                if ("fgsm".equals(other.type())) {
                    warnings.add(warning("%s (%s) is more successful than %s (%s) at the same epsilon and norm: one gradient "
                            + "step beats many, so the gradients may be masked and PGD's figure overstates robustness", other, pgd,
                            beaten.get()));
                } else if (List.of("square", "hopskipjump", "transfer").contains(other.type())) {
                    warnings.add(warning("black-box %s (%s) is more successful than white-box %s (%s) at the same epsilon and "
                            + "norm: the gradients may be masked and PGD's figure overstates robustness", other, pgd, beaten.get()));
                }
            }
        }
        List<AttackResult> sorted = new ArrayList<>(ran);
        sorted.sort(Comparator.comparing((AttackResult a) -> a.type() + "/" + a.norm() + "/" + key(a))
                .thenComparing(AttackResult::epsilon));
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                AttackResult small = sorted.get(i);
                AttackResult large = sorted.get(j);
                if (small.type().equals(large.type()) && small.norm().equals(large.norm()) && key(small).equals(key(large))
                        && large.epsilon() > small.epsilon()) {
                    Optional<String> beaten = beats(small, large, broken);
                    if (beaten.isPresent()) {
                        warnings.add(warning("%s (%s) is less successful than %s (%s), a smaller epsilon of the same attack: "
                                + "success must not fall as the budget grows, so the attack is not finding what is there", large,
                                small, beaten.get()));
                    }
                }
            }
        }
        return warnings;
    }

    /**
     * Whether {@code winner} is more successful than {@code loser}: paired on the same examples when both
     * outcomes are known (significant excess of examples only the winner broke), else by rate. Present:
     * the evidence, for the message.
     */
    static Optional<String> beats(AttackResult winner, AttackResult loser,
            Map<String, BitSet> broken) {
        BitSet w = broken.get(winner.name());
        BitSet l = broken.get(loser.name());
        if (w == null || l == null) {
            return winner.adversarialSuccessRate() > loser.adversarialSuccessRate() ? Optional.of("") : Optional.empty();
        }
        BitSet onlyWinner = (BitSet) w.clone();
        onlyWinner.andNot(l);
        BitSet onlyLoser = (BitSet) l.clone();
        onlyLoser.andNot(w);
        int b = onlyWinner.cardinality();
        int c = onlyLoser.cardinality();
        if (b <= c) {
            return Optional.empty();
        }
        double p = upperTail(b, b + c);
        return p < SIGNIFICANCE ? Optional.of(String.format(Locale.ROOT, " (same examples: %d broken only by %s, %d only by %s; "
                + "one-sided p = %.3g)", b, winner.name(), c, loser.name(), p)) : Optional.empty();
    }

    /** P(X ≥ k) for X ~ Binomial(n, 1/2), summed in log space (n up to the sample count). */
    static double upperTail(int k, int n) {
        double[] logFactorial = new double[n + 1];
        for (int i = 2; i <= n; i++) {
            logFactorial[i] = logFactorial[i - 1] + Math.log(i);
        }
        double p = 0;
        for (int i = k; i <= n; i++) {
            p += Math.exp(logFactorial[n] - logFactorial[i] - logFactorial[n - i] - n * Math.log(2));
        }
        return Math.min(1, p);
    }

    /** Same ε and norm. */
    private static boolean sameBall(AttackResult a, AttackResult b) {
        return a != b && Objects.equals(a.norm(), b.norm()) && Objects.equals(a.epsilon(), b.epsilon());
    }

    /** What else must match for an ε comparison: the attack's effort (steps, restarts, queries). */
    private static String key(AttackResult a) {
        return a.steps() + "/" + a.restarts() + "/" + a.queryBudget() + "/" + Objects.equals(a.targeted(), Boolean.TRUE) + "/"
                + a.name().contains("-reference") + "/" + (a.name().contains("-to-") ? a.name().replaceAll(".*-to-", "") : "");
    }

    private static Warning warning(String format, AttackResult a, AttackResult b,
            String evidence) {
        return new Warning(REASON, String.format(Locale.ROOT, format, a.name(), rate(a), b.name(), rate(b))
                + evidence);
    }

    private static String rate(AttackResult a) {
        return String.format(Locale.ROOT, "success %.3f on %d examples", a.adversarialSuccessRate(), a.examples());
    }
}
