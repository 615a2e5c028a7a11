package io.robustml.tester.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

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
 */
public final class GradientMasking {
    public static final String REASON = "GradientMasking";

    private GradientMasking() {
    }

    public static List<EvaluationReport.Warning> warnings(List<EvaluationReport.AttackReport> attacks) {
        List<EvaluationReport.AttackReport> ran = attacks.stream()
                .filter(a -> a.skipped() == null && a.adversarialSuccessRate() != null && a.epsilon() != null && a.norm() != null)
                .filter(a -> !a.name().endsWith("-adaptive"))
                .toList();
        List<EvaluationReport.Warning> warnings = new ArrayList<>();
        for (EvaluationReport.AttackReport pgd : ran) {
            if (!"pgd".equals(pgd.type())) {
                continue;
            }
            for (EvaluationReport.AttackReport other : ran) {
                if (!sameBall(pgd, other) || !(other.adversarialSuccessRate() > pgd.adversarialSuccessRate())) {
                    continue;
                }
                if ("fgsm".equals(other.type())) {
                    warnings.add(warning("%s (%s) is more successful than %s (%s) at the same epsilon and norm: one gradient "
                            + "step beats many, so the gradients may be masked and PGD's figure overstates robustness", other, pgd));
                } else if (List.of("square", "hopskipjump", "transfer").contains(other.type())) {
                    warnings.add(warning("black-box %s (%s) is more successful than white-box %s (%s) at the same epsilon and "
                            + "norm: the gradients may be masked and PGD's figure overstates robustness", other, pgd));
                }
            }
        }
        List<EvaluationReport.AttackReport> sorted = new ArrayList<>(ran);
        sorted.sort(Comparator.comparing((EvaluationReport.AttackReport a) -> a.type() + "/" + a.norm() + "/" + key(a))
                .thenComparing(EvaluationReport.AttackReport::epsilon));
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                EvaluationReport.AttackReport small = sorted.get(i);
                EvaluationReport.AttackReport large = sorted.get(j);
                if (small.type().equals(large.type()) && small.norm().equals(large.norm()) && key(small).equals(key(large))
                        && large.epsilon() > small.epsilon()
                        && large.adversarialSuccessRate() < small.adversarialSuccessRate()) {
                    warnings.add(warning("%s (%s) is less successful than %s (%s), a smaller epsilon of the same attack: "
                            + "success must not fall as the budget grows, so the attack is not finding what is there", large, small));
                }
            }
        }
        return warnings;
    }

    /** Same ε and norm. */
    private static boolean sameBall(EvaluationReport.AttackReport a, EvaluationReport.AttackReport b) {
        return a != b && Objects.equals(a.norm(), b.norm()) && Objects.equals(a.epsilon(), b.epsilon());
    }

    /** What else must match for an ε comparison: the attack's effort (steps, restarts, queries). */
    private static String key(EvaluationReport.AttackReport a) {
        return a.steps() + "/" + a.restarts() + "/" + a.queryBudget() + "/" + Objects.equals(a.targeted(), Boolean.TRUE) + "/"
                + a.name().contains("-reference") + "/" + (a.name().contains("-to-") ? a.name().replaceAll(".*-to-", "") : "");
    }

    private static EvaluationReport.Warning warning(String format, EvaluationReport.AttackReport a, EvaluationReport.AttackReport b) {
        return new EvaluationReport.Warning(REASON, String.format(Locale.ROOT, format, a.name(), rate(a), b.name(), rate(b)));
    }

    private static String rate(EvaluationReport.AttackReport a) {
        return String.format(Locale.ROOT, "success %.3f on %d examples", a.adversarialSuccessRate(), a.examples());
    }
}
