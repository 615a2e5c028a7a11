package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.targets.LabelOnlyTarget;
import io.robustml.tester.targets.LocalTarget;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HopSkipJump beyond the L∞ untargeted case the suite tests end to end: under L2, and targeted (from an image
 * the target already answers with the target class, as the paper starts). Against the standard reference
 * model behind a label-only endpoint; what it reports is checked against the model itself.
 */
class HopSkipJumpTest {
    private static WhiteBoxModel standard;
    private static LabelledImages test;

    @BeforeAll
    static void load() throws Exception {
        standard = WhiteBoxModel.load(ReferenceData.model("standard"));
        test = ReferenceData.test(60);
    }

    @AfterAll
    static void close() {
        standard.close();
    }

    /** The first {@code n} images the model classifies correctly, and their labels. */
    private static float[][] correct(int n, int[] labels) throws Exception {
        LocalTarget target = new LocalTarget(standard, ReferenceData.EXAMPLE_SHAPE);
        int[] predicted = target.classify(test.images()).predictions();
        float[][] x = new float[n][];
        for (int i = 0, k = 0; k < n; i++) {
            if (predicted[i] == test.labels()[i]) {
                labels[k] = test.labels()[i];
                x[k++] = test.images()[i];
            }
        }
        return x;
    }

    @Test
    void underL2ItFindsExamplesWithinEpsilonAndReportsWhatTheModelAnswers() throws Exception {
        int n = 20;
        int[] labels = new int[n];
        float[][] x = correct(n, labels);
        Constraint l2 = new Constraint(Norm.L2, 2.0f, 0f, 1f);
        SquareAttack.Result r = new HopSkipJump(l2, 1000, 3).run(new LabelOnlyTarget(new LocalTarget(standard,
                ReferenceData.EXAMPLE_SHAPE)), x, labels, false, null);
        int[] truth = new LocalTarget(standard, ReferenceData.EXAMPLE_SHAPE).classify(r.adversarial()).predictions();
        int success = 0;
        for (int i = 0; i < n; i++) {
            assertThat(Norm.L2.distance(x[i], r.adversarial()[i])).isLessThanOrEqualTo(2.0 + 1e-4);
            assertThat(r.predictions()[i]).as("what it reports is what the model answers").isEqualTo(truth[i]);
            assertThat(r.reached()[i]).isEqualTo(truth[i] != labels[i]);
            assertThat(r.queries()[i]).isLessThanOrEqualTo(1000);
            success += r.reached()[i] ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "[hopskipjump] standard, label only, l2 2, 1000 queries/example: success %d/%d%n", success, n);
        assertThat(success).isGreaterThanOrEqualTo(n / 2);
    }

    @Test
    void targetedItReachesTheTargetClassFromOneOfItsImages() throws Exception {
        int n = 20;
        int[] labels = new int[n];
        float[][] x = correct(n, labels);
        int[] goals = new int[n];
        float[][] starts = new float[n][];
        for (int i = 0; i < n; i++) {
            goals[i] = (labels[i] + 1) % 10;
            for (int j = 0; j < test.count() && starts[i] == null; j++) {
                starts[i] = test.labels()[j] == goals[i] ? test.images()[j] : null;
            }
        }
        Constraint linf = new Constraint(Norm.LINF, 0.2f, 0f, 1f);
        SquareAttack.Result r = new HopSkipJump(linf, 1000, 5).run(new LabelOnlyTarget(new LocalTarget(standard,
                ReferenceData.EXAMPLE_SHAPE)), x, goals, true, starts);
        int[] truth = new LocalTarget(standard, ReferenceData.EXAMPLE_SHAPE).classify(r.adversarial()).predictions();
        int success = 0;
        for (int i = 0; i < n; i++) {
            assertThat(Norm.LINF.distance(x[i], r.adversarial()[i])).isLessThanOrEqualTo(0.2 + 1e-5);
            assertThat(r.reached()[i]).as("targeted: reached means the target class").isEqualTo(truth[i] == goals[i]);
            success += r.reached()[i] ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "[hopskipjump] standard, label only, targeted (label + 1), linf 0.2, 1000 queries/example: "
                + "success %d/%d%n", success, n);
        assertThat(success).isGreaterThanOrEqualTo(n / 4);
    }
}
