package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.IdxDataset;
import io.robustml.tester.targets.LabelOnlyTarget;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HopSkipJump against the standard reference model seen through a label-only endpoint, in-process. */
class HopSkipJumpTest {
    private static final int N = 24;
    private static WhiteBoxModel standard;
    private static IdxDataset data;

    @BeforeAll
    static void load() throws Exception {
        standard = WhiteBoxModel.load(ReferenceData.model("standard"));
        data = ReferenceData.test(N);
    }

    @AfterAll
    static void close() {
        standard.close();
    }

    private static Target labelOnly() {
        return new LabelOnlyTarget(new LocalTarget(standard, ReferenceData.EXAMPLE_SHAPE));
    }

    @Test
    void beatsMostOfTheStandardModelWithinEpsilonAndTheBudgetSeeingOnlyLabels() throws Exception {
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        int[] clean = labelOnly().classify(data.images()).predictions();
        long t0 = System.nanoTime();
        SquareAttack.Result r = new HopSkipJump(c, 1000, 1).run(labelOnly(), data.images(), data.labels(), false, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int correct = 0;
        int successes = 0;
        for (int i = 0; i < N; i++) {
            if (clean[i] == data.labels()[i]) {
                correct++;
                successes += r.reached()[i] ? 1 : 0;
            }
            assertThat(r.queries()[i]).isLessThanOrEqualTo(1000);
        }
        c.check(data.images(), r.adversarial());
        int[] confirmed = labelOnly().classify(r.adversarial()).predictions();
        for (int i = 0; i < N; i++) {
            assertThat(r.reached()[i]).isEqualTo(confirmed[i] != data.labels()[i]);
        }
        System.out.printf("[hopskipjump] standard, linf 0.1, 1000 queries/example, labels only: %d of %d correct examples, "
                + "%.1f s%n", successes, correct, seconds);
        assertThat(successes * 2).isGreaterThanOrEqualTo(correct);
    }
}
