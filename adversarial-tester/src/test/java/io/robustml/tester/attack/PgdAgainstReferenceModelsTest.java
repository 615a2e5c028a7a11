package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.metrics.AttackOutcome;
import java.nio.file.Path;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java white-box attacks reproduce, on the committed reference models, what the models' Python
 * training run measured with PyTorch (model-server/models/metrics.json): an attack weaker than the
 * standard tools would give false confidence, so this is checked against them.
 */
class PgdAgainstReferenceModelsTest {
    private static final Path MODELS = Path.of("../model-server/models");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int SAMPLES = 500;
    private static final int BATCH = 100;
    private static final Constraint LINF_01 = Constraint.unitRange(Norm.LINF, 0.1f);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"standard", "robust"})
    void matchesTheRecordedAccuracyUnderFgsmAndPgd20(String name) throws Exception {
        JsonNode recorded = new ObjectMapper().readTree(MODELS.resolve("metrics.json").toFile()).at("/models/" + name);
        LabelledImages test = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"),
                FASHION.resolve("t10k-labels-idx1-ubyte.gz"), SAMPLES);
        Engine.getInstance().setRandomSeed(0);
        int[] labels = test.labels();
        int[] clean = new int[SAMPLES];
        int[] fgsm = new int[SAMPLES];
        int[] pgd = new int[SAMPLES];
        float maxPerturbation = 0f;
        long t0 = System.nanoTime();
        try (WhiteBoxModel model = WhiteBoxModel.load(MODELS.resolve("fashion-" + name + ".pt"))) {
            for (int start = 0; start < SAMPLES; start += BATCH) {
                try (NDManager m = model.newManager()) {
                    float[] data = new float[BATCH * 784];
                    int[] y = new int[BATCH];
                    for (int i = 0; i < BATCH; i++) {
                        System.arraycopy(test.images()[start + i], 0, data, i * 784, 784);
                        y[i] = labels[start + i];
                    }
                    NDArray x = m.create(data, new Shape(BATCH, 1, 28, 28));
                    NDArray yArr = m.create(y);
                    copy(model.logits(x).argMax(1), clean, start);
                    copy(model.logits(Pgd.fgsm(LINF_01).attack(model, x, yArr)).argMax(1), fgsm, start);
                    NDArray adv = new Pgd(LINF_01, 0.01f, 20, 0, true).attack(model, x, yArr);
                    copy(model.logits(adv).argMax(1), pgd, start);
                    maxPerturbation = Math.max(maxPerturbation, adv.sub(x).abs().max().getFloat());
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        AttackOutcome f = AttackOutcome.of(labels, clean, fgsm);
        AttackOutcome p = AttackOutcome.of(labels, clean, pgd);
        System.out.printf("[white-box] %s on %d test images: clean %.3f, FGSM(0.1) %.3f (recorded %.4f), "
                + "PGD-20(0.1) %.3f (recorded %.4f), PGD success rate %.3f, max |delta| %.4f, %.1f s%n", name, SAMPLES,
                f.cleanAccuracy(), f.robustAccuracy(), recorded.get("fgsm_accuracy_eps0.1").asDouble(),
                p.robustAccuracy(), recorded.get("pgd20_accuracy_eps0.1").asDouble(), p.adversarialSuccessRate(),
                maxPerturbation, seconds);

        assertThat(maxPerturbation).isLessThanOrEqualTo(0.1f + 1e-6f);
        // 500 of the 10,000 images: the sampling error of an accuracy near 0.7 is about 0.02.
        assertThat(f.cleanAccuracy()).isCloseTo(recorded.get("clean_accuracy").asDouble(), Offset.offset(0.05));
        assertThat(f.robustAccuracy()).isCloseTo(recorded.get("fgsm_accuracy_eps0.1").asDouble(), Offset.offset(0.06));
        assertThat(p.robustAccuracy()).isCloseTo(recorded.get("pgd20_accuracy_eps0.1").asDouble(), Offset.offset(0.06));
        assertThat(p.robustAccuracy()).as("PGD is at least as strong as FGSM").isLessThanOrEqualTo(f.robustAccuracy());
        // Published behaviour: PGD-20 at 0.1 breaks nearly every standard-trained model's correct answers,
        // and adversarial training (Madry) keeps most of them.
        if (name.equals("standard")) {
            assertThat(p.adversarialSuccessRate()).isGreaterThanOrEqualTo(0.80);
        } else {
            assertThat(p.adversarialSuccessRate()).isLessThan(0.40);
        }
    }

    private static void copy(NDArray predictions, int[] into, int start) {
        long[] values = predictions.toLongArray();
        for (int i = 0; i < values.length; i++) {
            into[start + i] = (int) values[i];
        }
    }
}
