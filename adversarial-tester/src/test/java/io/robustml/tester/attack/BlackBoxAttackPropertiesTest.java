package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Square Attack, the noise baseline and knockoff extraction against the reference models, in-process. */
class BlackBoxAttackPropertiesTest {
    private static final int N = 100;
    private static WhiteBoxModel standard;
    private static WhiteBoxModel robust;
    private static LabelledImages data;

    @BeforeAll
    static void load() throws Exception {
        standard = WhiteBoxModel.load(ReferenceData.model("standard"));
        robust = WhiteBoxModel.load(ReferenceData.model("robust"));
        data = ReferenceData.test(N);
    }

    @AfterAll
    static void close() {
        standard.close();
        robust.close();
    }

    @Test
    void squareAttackWithEpsilonZeroNeverSucceeds() throws Exception {
        SquareAttack.Result r = new SquareAttack(Constraint.unitRange(Norm.LINF, 0f), 50, 0.3f, 1)
                .run(target(standard), data.images(), data.labels(), false, ReferenceData.GEOMETRY);
        assertThat(successes(target(standard), r.predictions())).isZero();
    }

    @Test
    void squareAttackSuccessGrowsWithTheQueryBudgetAndStaysInTheBall() throws Exception {
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        int previous = -1;
        for (int budget : new int[] {1, 20, 200, 1000}) {
            LocalTarget t = target(standard);
            SquareAttack.Result r = new SquareAttack(c, budget, 0.3f, 1).run(t, data.images(), data.labels(), false,
                    ReferenceData.GEOMETRY);
            c.check(data.images(), r.adversarial());
            int s = successes(target(standard), r.predictions());
            System.out.printf("[square] standard, eps 0.1, %d queries/example: %d successes, %d queries sent%n", budget, s, t.queries());
            assertThat(s).as("budget %d", budget).isGreaterThanOrEqualTo(previous);
            assertThat(t.queries()).isLessThanOrEqualTo((long) budget * N);
            previous = s;
        }
        assertThat(previous).as("1,000 queries beat most of the standard model").isGreaterThan(N / 2);
    }

    @Test
    void noiseStaysFarBelowSquareAttackAndSquareFindsLessOnTheRobustModel() throws Exception {
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        Target t = target(standard);
        int noise = successes(t, target(standard).classify(new NoiseAttack(c, 3).perturb(data.images())).predictions());
        int square = successes(t, new SquareAttack(c, 300, 0.3f, 1).run(target(standard), data.images(), data.labels(), false,
                ReferenceData.GEOMETRY).predictions());
        int squareOnRobust = successes(target(robust), new SquareAttack(c, 300, 0.3f, 1).run(target(robust), data.images(),
                data.labels(), false, ReferenceData.GEOMETRY).predictions());
        System.out.printf("[black-box] eps 0.1 on %d images: noise %d, square-300 %d on standard, %d on robust%n", N, noise,
                square, squareOnRobust);
        assertThat(noise * 3).isLessThan(square);
        assertThat(squareOnRobust).isLessThan(square);
    }

    @Test
    void knockoffAgreementGrowsWithTheBudget() throws Exception {
        LabelledImages pool = ReferenceData.train(3000);
        int[] onHeldOut = target(standard).classify(data.images()).predictions();
        double small = KnockoffExtraction.withBudget(100, 5).run(target(standard), pool.images(), data.images(), onHeldOut).agreement();
        KnockoffExtraction.Result large = KnockoffExtraction.withBudget(3000, 5).run(target(standard), pool.images(),
                data.images(), onHeldOut);
        System.out.printf("[extraction] knockoff agreement with standard: %.2f after 100 queries, %.2f after 3000%n", small,
                large.agreement());
        assertThat(large.queriesUsed()).isEqualTo(3000);
        assertThat(large.verdictsVisible()).isFalse();
        assertThat(large.agreement()).isGreaterThan(small).isGreaterThan(0.7);
    }

    private static LocalTarget target(WhiteBoxModel model) {
        return new LocalTarget(model, ReferenceData.EXAMPLE_SHAPE);
    }

    private static int successes(Target model, int[] adversarialPredictions) throws Exception {
        int[] clean = model.classify(data.images()).predictions();
        int s = 0;
        for (int i = 0; i < N; i++) {
            s += clean[i] == data.labels()[i] && adversarialPredictions[i] != data.labels()[i] ? 1 : 0;
        }
        return s;
    }
}
