package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.crds.run.AdversarialTestRunStatus.AttackResult;
import io.robustml.crds.run.AdversarialTestRunStatus.Warning;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gradient-masking checks on hand-made results. */
class GradientMaskingTest {

    private static AttackResult result(String name, String type, String norm, float eps, double success) {
        boolean pgdLike = type.equals("pgd") || type.equals("transfer");
        return new AttackResult(name, type, norm, EvaluationReport.epsilon(eps), pgdLike ? 20 : null, pgdLike ? 0 : null,
                type.equals("square") ? 1000 : null, 100, success, 1 - success, null, null, null, null, null, null, null, 1.0, null,
                null, null, null);
    }

    @Test
    void anHonestSuiteGivesNoWarning() {
        assertThat(GradientMasking.warnings(List.of(
                result("fgsm-linf-0.1", "fgsm", "linf", 0.1f, 0.6),
                result("pgd-linf-0.05", "pgd", "linf", 0.05f, 0.5),
                result("pgd-linf-0.1", "pgd", "linf", 0.1f, 0.9),
                result("square-linf-0.1", "square", "linf", 0.1f, 0.8),
                result("square-linf-0.2", "square", "linf", 0.2f, 0.8), // equal: saturated or flat, not falling
                result("hopskipjump-l2-1", "hopskipjump", "l2", 1f, 0.95)))) // no PGD at l2 1: nothing to compare
                .isEmpty();
    }

    private static java.util.BitSet broken(int from, int to) {
        java.util.BitSet b = new java.util.BitSet();
        b.set(from, to);
        return b;
    }

    /** Paired on the same examples: a one-example edge is noise; a real excess of examples only FGSM broke warns. */
    @Test
    void pairedOutcomesWarnOnlyOnASignificantExcess() {
        var fgsm = result("fgsm-linf-0.1", "fgsm", "linf", 0.1f, 0.31);
        var pgd = result("pgd-linf-0.1", "pgd", "linf", 0.1f, 0.30);
        assertThat(GradientMasking.warnings(List.of(fgsm, pgd))).as("rates alone: strict").hasSize(1);
        assertThat(GradientMasking.warnings(List.of(fgsm, pgd), java.util.Map.of("fgsm-linf-0.1", broken(0, 31),
                "pgd-linf-0.1", broken(0, 30)))).as("1 discordant example: p = 0.5").isEmpty();

        var strongFgsm = result("fgsm-linf-0.1", "fgsm", "linf", 0.1f, 0.60);
        java.util.BitSet pgdBroken = broken(0, 30);
        pgdBroken.set(60, 65);
        List<Warning> w = GradientMasking.warnings(List.of(strongFgsm, pgd),
                java.util.Map.of("fgsm-linf-0.1", broken(0, 60), "pgd-linf-0.1", pgdBroken));
        assertThat(w).singleElement().satisfies(x -> assertThat(x.message())
                .contains("30 broken only by fgsm-linf-0.1, 5 only by pgd-linf-0.1", "one-sided p = "));

        // Success falling with epsilon by two examples of fifty: noise.
        var small = result("square-linf-0.1", "square", "linf", 0.1f, 0.50);
        var large = result("square-linf-0.2", "square", "linf", 0.2f, 0.48);
        assertThat(GradientMasking.warnings(List.of(small, large), java.util.Map.of("square-linf-0.1", broken(0, 50),
                "square-linf-0.2", broken(0, 48)))).isEmpty();
    }

    @Test
    void theBinomialTailIsExact() {
        assertThat(GradientMasking.upperTail(5, 5)).isCloseTo(1 / 32.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(GradientMasking.upperTail(0, 7)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(GradientMasking.upperTail(6, 10)).isCloseTo(386 / 1024.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(GradientMasking.upperTail(9000, 10000)).isLessThan(1e-300);
    }

    @Test
    void fgsmStrongerThanPgdAtTheSameBall() {
        List<Warning> w = GradientMasking.warnings(List.of(
                result("fgsm-linf-0.1", "fgsm", "linf", 0.1f, 0.7),
                result("pgd-linf-0.1", "pgd", "linf", 0.1f, 0.3),
                result("fgsm-l2-0.1", "fgsm", "l2", 0.1f, 0.9))); // another norm: not comparable
        assertThat(w).hasSize(1);
        assertThat(w.get(0).reason()).isEqualTo("GradientMasking");
        assertThat(w.get(0).message()).contains("fgsm-linf-0.1 (success 0.700").contains("pgd-linf-0.1 (success 0.300");
    }

    @Test
    void blackBoxStrongerThanWhiteBoxPgd() {
        List<Warning> w = GradientMasking.warnings(List.of(
                result("pgd-linf-0.1", "pgd", "linf", 0.1f, 0.2),
                result("square-linf-0.1", "square", "linf", 0.1f, 0.5),
                result("hopskipjump-linf-0.1", "hopskipjump", "linf", 0.1f, 0.4),
                result("transfer-linf-0.1", "transfer", "linf", 0.1f, 0.1),
                result("noise-linf-0.1", "noise", "linf", 0.1f, 0.3))); // noise is a baseline, not a black-box attack
        assertThat(w).extracting(Warning::message)
                .anySatisfy(m -> assertThat(m).startsWith("black-box square-linf-0.1"))
                .anySatisfy(m -> assertThat(m).startsWith("black-box hopskipjump-linf-0.1"))
                .hasSize(2);
    }

    @Test
    void successFallingAsEpsilonGrows() {
        List<Warning> w = GradientMasking.warnings(List.of(
                result("pgd-linf-0.3", "pgd", "linf", 0.3f, 0.4),
                result("pgd-linf-0.1", "pgd", "linf", 0.1f, 0.6),
                result("pgd-l2-0.3", "pgd", "l2", 0.3f, 0.1))); // another norm
        assertThat(w).hasSize(1);
        assertThat(w.get(0).message()).startsWith("pgd-linf-0.3 (success 0.400").contains("pgd-linf-0.1 (success 0.600");
    }

    @Test
    void skippedAndAdaptiveAttacksAreLeftOut() {
        AttackResult skippedSquare = EvaluationReport.skipped(
                new AttackPlan(io.robustml.crds.model.AttackSpec.AttackType.SQUARE, io.robustml.tester.attack.Norm.LINF, 0.1f, 1, 0,
                        100, false), "label only");
        assertThat(GradientMasking.warnings(List.of(
                result("pgd-linf-0.1", "pgd", "linf", 0.1f, 0.2),
                result("pgd-linf-0.1-adaptive", "pgd", "linf", 0.1f, 0.9),
                skippedSquare))).isEmpty();
    }
}
