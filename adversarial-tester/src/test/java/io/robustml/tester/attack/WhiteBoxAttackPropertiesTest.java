package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import ai.djl.ndarray.NDList;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.targets.Batches;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Properties any correct white-box attack has, checked on the standard reference model. */
class WhiteBoxAttackPropertiesTest {
    private static final int N = 200;
    private static WhiteBoxModel model;
    private static LabelledImages data;

    @BeforeAll
    static void load() throws Exception {
        model = WhiteBoxModel.load(ReferenceData.model("standard"));
        data = ReferenceData.test(N);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void epsilonZeroChangesNothingAndSucceedsNowhere(Norm norm) {
        Constraint none = Constraint.unitRange(norm, 0f);
        float[][] adv = attack(Pgd.standard(none, 10, 1), false, data.labels());
        none.check(data.images(), adv);
        assertThat(successes(adv, data.labels())).isZero();
        assertThat(successes(attack(Pgd.fgsm(none), false, data.labels()), data.labels())).isZero();
    }

    @ParameterizedTest
    @EnumSource(Norm.class)
    void staysInTheBallAndTheRangeAndBeatsFgsm(Norm norm) {
        Constraint c = Constraint.unitRange(norm, norm == Norm.LINF ? 0.1f : 1.5f);
        float[][] pgd = attack(Pgd.standard(c, 20, 0), false, data.labels());
        float[][] fgsm = attack(Pgd.fgsm(c), false, data.labels());
        c.check(data.images(), pgd);
        c.check(data.images(), fgsm);
        int pgdSuccesses = successes(pgd, data.labels());
        int fgsmSuccesses = successes(fgsm, data.labels());
        System.out.printf("[white-box] %s eps %.2f on %d images: FGSM %d, PGD-20 %d successes (clean correct %d)%n", norm,
                c.epsilon(), N, fgsmSuccesses, pgdSuccesses, N - wrongOnClean());
        assertThat(pgdSuccesses).isGreaterThanOrEqualTo(fgsmSuccesses).isGreaterThan(0);
    }

    @Test
    void moreStepsOrRestartsNeverLowerSuccessOnTheSameSeed() {
        Constraint c = Constraint.unitRange(Norm.LINF, 0.05f);
        int previous = -1;
        for (int steps : new int[] {1, 3, 10, 20}) {
            int s = successes(attack(new Pgd(c, 0.01f, steps, 0, true), false, data.labels()), data.labels());
            assertThat(s).as("%d steps", steps).isGreaterThanOrEqualTo(previous);
            previous = s;
        }
        int noRestart = successes(attack(new Pgd(c, 0.01f, 5, 0, true), false, data.labels()), data.labels());
        int restarts = successes(attack(new Pgd(c, 0.01f, 5, 2, true), false, data.labels()), data.labels());
        assertThat(restarts).isGreaterThanOrEqualTo(noRestart);
    }

    @Test
    void targetedPgdReachesTheChosenClass() {
        int[] targets = new int[N];
        for (int i = 0; i < N; i++) {
            targets[i] = (data.labels()[i] + 1) % 10;
        }
        float[][] adv = attack(Pgd.standard(Constraint.unitRange(Norm.LINF, 0.2f), 40, 0), true, targets);
        int[] predicted = predict(adv);
        int reached = 0;
        for (int i = 0; i < N; i++) {
            reached += predicted[i] == targets[i] ? 1 : 0;
        }
        assertThat(reached).as("targeted PGD at eps 0.2 reaches its target").isGreaterThan(N / 2);
    }

    @Test
    void theInputGradientMatchesAFiniteDifference() {
        try (NDManager m = model.newManager()) {
            // Constant backgrounds make max-pool ties, where the loss has a kink and one-sided slopes
            // differ; a little noise removes the ties so that the function is differentiable there.
            Engine.getInstance().setRandomSeed(11);
            for (int i = 0; i < 5; i++) {
                NDArray image = m.create(data.images()[i], Batches.shape(1, ReferenceData.EXAMPLE_SHAPE));
                NDArray x = image.add(m.randomUniform(0.01f, 0.03f, image.getShape()));
                NDArray y = m.create(new int[] {data.labels()[i]});
                NDArray g = model.lossGradient(x, y);
                float norm = g.norm().getFloat();
                NDArray unit = g.div(norm);
                float h = 1e-3f;
                float numeric = (loss(x.add(unit.mul(h)), y) - loss(x.sub(unit.mul(h)), y)) / (2 * h);
                // The directional derivative along the gradient is the gradient's length.
                assertThat(numeric).as("example %d", i).isCloseTo(norm, Offset.offset(Math.max(0.05f * norm, 1e-4f)));
            }
        }
    }

    @Test
    void aConstraintRejectsExamplesOutsideTheBallOrTheRange() {
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        float[][] x = {{0.5f, 0.5f}};
        assertThatThrownBy(() -> c.check(x, new float[][] {{0.7f, 0.5f}})).hasMessageContaining("beyond epsilon");
        assertThatThrownBy(() -> c.check(new float[][] {{1f, 0f}}, new float[][] {{1.05f, 0f}})).hasMessageContaining("outside");
        Constraint l2 = Constraint.unitRange(Norm.L2, 0.1f);
        assertThatThrownBy(() -> l2.check(x, new float[][] {{0.58f, 0.58f}})).hasMessageContaining("beyond epsilon");
        l2.check(x, new float[][] {{0.56f, 0.56f}});
    }

    private static float loss(NDArray x, NDArray y) {
        return Loss.softmaxCrossEntropyLoss().evaluate(new NDList(y), new NDList(model.logits(x))).getFloat();
    }

    private static float[][] attack(Pgd pgd, boolean targeted, int[] labels) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = model.newManager()) {
            NDArray x = m.create(Batches.flatten(data.images()), Batches.shape(N, ReferenceData.EXAMPLE_SHAPE));
            NDArray adv = pgd.attack(model, x, m.create(labels), targeted);
            return Batches.rows(adv.toFloatArray(), N, 784);
        }
    }

    private static int[] predict(float[][] x) {
        try (NDManager m = model.newManager()) {
            long[] p = model.logits(m.create(Batches.flatten(x), Batches.shape(x.length, ReferenceData.EXAMPLE_SHAPE)))
                    .argMax(1).toLongArray();
            int[] result = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                result[i] = (int) p[i];
            }
            return result;
        }
    }

    private static int wrongOnClean() {
        int[] clean = predict(data.images());
        int wrong = 0;
        for (int i = 0; i < N; i++) {
            wrong += clean[i] != data.labels()[i] ? 1 : 0;
        }
        return wrong;
    }

    /** Originally correct examples the adversarial version gets wrong. */
    private static int successes(float[][] adv, int[] labels) {
        int[] clean = predict(data.images());
        int[] attacked = predict(adv);
        int s = 0;
        for (int i = 0; i < N; i++) {
            s += clean[i] == labels[i] && attacked[i] != labels[i] ? 1 : 0;
        }
        return s;
    }
}
