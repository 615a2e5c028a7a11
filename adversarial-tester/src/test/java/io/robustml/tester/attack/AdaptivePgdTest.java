package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.oip.squeeze.Squeezers;
import io.robustml.tester.targets.Batches;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The detector-aware PGD against feature squeezing, on the standard reference model. */
class AdaptivePgdTest {
    private static final int N = 100;
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

    @Test
    void itsMedianIsTheSidecarsMedian() {
        AdaptivePgd attack = AdaptivePgd.standard(Constraint.unitRange(Norm.LINF, 0.1f), 10, 4, 2);
        AdaptivePgd odd = AdaptivePgd.standard(Constraint.unitRange(Norm.LINF, 0.1f), 10, 4, 3);
        try (NDManager m = model.newManager()) {
            NDArray x = m.create(Batches.flatten(ReferenceData.images(data, 0, 3)), Batches.shape(3, ReferenceData.EXAMPLE_SHAPE));
            float[] ours = attack.median(x).toFloatArray();
            float[] oursOdd = odd.median(x).toFloatArray();
            for (int i = 0; i < 3; i++) {
                float[] sidecar = Squeezers.median(data.images()[i], 1, 28, 28, 2);
                float[] sidecarOdd = Squeezers.median(data.images()[i], 1, 28, 28, 3);
                for (int k = 0; k < 784; k++) {
                    assertThat(ours[i * 784 + k]).isCloseTo(sidecar[k], Offset.offset(1e-6f));
                    assertThat(oursOdd[i * 784 + k]).isCloseTo(sidecarOdd[k], Offset.offset(1e-6f));
                }
            }
        }
    }

    @Test
    void itStaysInTheBallAndLowersTheSqueezingScoreOfWhatFoolsTheModel() {
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        float[][] naive = attack(x -> Pgd.standard(c, 20, 0).attack(model, x.input, x.labels));
        float[][] adaptive = attack(x -> AdaptivePgd.standard(c, 20, 4, 2).attack(model, x.input, x.labels, false));
        c.check(data.images(), adaptive);
        double naiveScore = meanScoreOfSuccesses(naive);
        double adaptiveScore = meanScoreOfSuccesses(adaptive);
        System.out.printf("[adaptive] mean squeezing score of successful examples: naive PGD-20 %.3f, adaptive %.3f; "
                + "successes %d vs %d of %d%n", naiveScore, adaptiveScore, successes(naive), successes(adaptive), N);
        assertThat(successes(adaptive)).isGreaterThan(N / 2);
        // Below the calibrated threshold (0.6516 at 5 % clean false positives), where naive PGD is not.
        assertThat(adaptiveScore).isLessThan(naiveScore / 2).isLessThan(0.6516);
    }

    private record Batch(NDArray input, NDArray labels) {
    }

    private static float[][] attack(java.util.function.Function<Batch, NDArray> attack) {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = model.newManager()) {
            NDArray x = m.create(Batches.flatten(data.images()), Batches.shape(N, ReferenceData.EXAMPLE_SHAPE));
            return Batches.rows(attack.apply(new Batch(x, m.create(data.labels()))).toFloatArray(), N, 784);
        }
    }

    private static float[][] logits(float[][] x) {
        try (NDManager m = model.newManager()) {
            return Batches.rows(model.logits(m.create(Batches.flatten(x), Batches.shape(x.length, ReferenceData.EXAMPLE_SHAPE)))
                    .toFloatArray(), x.length, 10);
        }
    }

    private static int argMax(float[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            best = v[k] > v[best] ? k : best;
        }
        return best;
    }

    private static int successes(float[][] adv) {
        float[][] clean = logits(data.images());
        float[][] attacked = logits(adv);
        int s = 0;
        for (int i = 0; i < N; i++) {
            s += argMax(clean[i]) == data.labels()[i] && argMax(attacked[i]) != data.labels()[i] ? 1 : 0;
        }
        return s;
    }

    /** The sidecar's score (bit depth 4, median 2) of each successful adversarial example, averaged. */
    private static double meanScoreOfSuccesses(float[][] adv) {
        float[][] clean = logits(data.images());
        float[][] attacked = logits(adv);
        float[][] bits = new float[N][];
        float[][] medians = new float[N][];
        for (int i = 0; i < N; i++) {
            bits[i] = Squeezers.bitDepth(adv[i], 4);
            medians[i] = Squeezers.median(adv[i], 1, 28, 28, 2);
        }
        float[][] bitLogits = logits(bits);
        float[][] medianLogits = logits(medians);
        double sum = 0;
        int n = 0;
        for (int i = 0; i < N; i++) {
            if (argMax(clean[i]) == data.labels()[i] && argMax(attacked[i]) != data.labels()[i]) {
                sum += Squeezers.score(attacked[i], bitLogits[i], medianLogits[i]);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}
