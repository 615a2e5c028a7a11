package io.robustml.tester.colour;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunStatus.ClassResult;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.run.Assignment;
import io.robustml.tester.run.Evaluation;
import io.robustml.tester.run.EvaluationData;
import io.robustml.tester.run.EvaluationReport;
import io.robustml.tester.run.Settings;
import io.robustml.tester.targets.LocalTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The colour reference models (CIFAR-10, model-server/training/train_cifar.py) through the same Evaluation the Job
 * runs, on the 8-bit NCHW sample the examples analyse: the clean figure is the training script's on the same images,
 * PGD-20 at 8/255 agrees with the script's PyTorch PGD-20, and the robust model holds where the standard one breaks.
 */
class ColourEvaluationTest {
    static final Path MODELS = Path.of("../model-server/models");
    static final long[] SHAPE = {3, 32, 32};
    private static WhiteBoxModel standard;
    private static WhiteBoxModel robust;

    @BeforeAll
    static void load() throws Exception {
        standard = WhiteBoxModel.load(MODELS.resolve("cifar-standard.pt"));
        robust = WhiteBoxModel.load(MODELS.resolve("cifar-robust.pt"));
    }

    @AfterAll
    static void close() {
        standard.close();
        robust.close();
    }

    static double metric(String model, String name) throws Exception {
        return new ObjectMapper().readTree(MODELS.resolve("cifar-metrics.json").toFile()).get(model).get(name).asDouble();
    }

    static EvaluationReport evaluate(WhiteBoxModel model, String attacks, int samples) throws Exception {
        return evaluate(model, attacks, samples, "");
    }

    static EvaluationReport evaluate(WhiteBoxModel model, String attacks, int samples, String input) throws Exception {
        return evaluate(model, attacks, samples, input, SHAPE);
    }

    /** {@code modelShape}: the model's own input shape ([32, 32, 3] for a channels-last one); the data stay [3, 32, 32]. */
    static EvaluationReport evaluate(WhiteBoxModel model, String attacks, int samples, String input, long[] modelShape)
            throws Exception {
        String yaml = """
                apiVersion: robustml.io/v1alpha1
                kind: AdversarialTestRun
                metadata: {name: r}
                spec:
                  target: {model: m, revision: abc, endpoint: "http://x", modelUri: /m.pt}
                  attacks:
                %s
                  dataset: {uri: %s, samples: %d}
                  labels: [airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck]
                  input: {shape: %s%s}
                """.formatted(attacks.indent(4), MODELS.resolve("cifar10-sample.npz"), samples, java.util.Arrays.toString(modelShape), input);
        Assignment a = Assignment.of(Serialization.unmarshal(yaml, AdversarialTestRun.class).getSpec());
        EvaluationData data = EvaluationData.load(a.datasetUri(), a.samples(), 0, Map.of(), a.attackShape(modelShape)).in(a.inputRange());
        return new Evaluation(a, new Settings(100, 0, 0, 0.3f, null, 30), new LocalTarget(model, modelShape), model, modelShape, data,
                (done, total, summary) -> { }).run();
    }

    @Test
    void theStandardModelBreaksAtEightOver255AndTheRobustOneHolds() throws Exception {
        String attacks = """
                - {type: pgd, epsilon: "0.031373", steps: 20}
                - {type: noise, epsilon: "0.031373"}
                """;
        EvaluationReport onStandard = evaluate(standard, attacks, 500);
        EvaluationReport onRobust = evaluate(robust, attacks, 500);
        for (EvaluationReport r : List.of(onStandard, onRobust)) {
            System.out.printf(Locale.ROOT, "[colour] clean %.3f; %s%n", r.cleanAccuracy(), r.attacks().stream()
                    .map(x -> String.format(Locale.ROOT, "%s %.3f", x.name(), x.adversarialSuccessRate())).toList());
        }
        // The sample's 500 test images (read class by class in turn), byte / 255, as the script evaluates them in PyTorch.
        assertThat(onStandard.cleanAccuracy()).isCloseTo(metric("standard", "clean_accuracy_sample"), Offset.offset(1e-9));
        assertThat(onRobust.cleanAccuracy()).isCloseTo(metric("robust", "clean_accuracy_sample"), Offset.offset(1e-9));
        for (String kind : List.of("standard", "robust")) {
            EvaluationReport r = kind.equals("standard") ? onStandard : onRobust;
            // The script's PGD-20 (step 2/255, random start) on the first 1,000 test images; ours on 500 of them.
            double pythonAsr = 1 - metric(kind, "pgd20_accuracy_first1000") / metric(kind, "clean_accuracy_first1000");
            assertThat(r.attacks().get(0).adversarialSuccessRate()).as(kind).isCloseTo(pythonAsr, Offset.offset(0.06));
        }
        assertThat(onStandard.attacks().get(0).adversarialSuccessRate()).isGreaterThan(onRobust.attacks().get(0).adversarialSuccessRate() + 0.3);
        assertThat(onStandard.attacks().get(0).perClass()).extracting(ClassResult::className)
                .contains("airplane", "cat", "truck");
        assertThat(onStandard.attacks().get(1).adversarialSuccessRate()).as("noise far below PGD")
                .isLessThan(onStandard.attacks().get(0).adversarialSuccessRate() / 2);
    }

    /**
     * cifar-robust-normalized.pt is the same network taking (pixel - mean) / std (export_normalized.py): with
     * model.input.normalization the analysis reads and attacks pixels, sends them normalised, and measures what it
     * measures on the pixel model; without it, the model is fed pixels as if normalised and the figures are wrong.
     */
    @Test
    void aModelThatTakesNormalisedInputsIsAnalysedInPixelsWithThePixelModelsFigures() throws Exception {
        String attacks = """
                - {type: pgd, epsilon: "0.031373", steps: 20}
                - {type: square, epsilon: "0.031373", queryBudget: 100}
                """;
        String normalization = ", normalization: {mean: [\"0.4914\", \"0.4822\", \"0.4465\"], std: [\"0.2470\", \"0.2435\", \"0.2616\"]}";
        try (WhiteBoxModel normalized = WhiteBoxModel.load(MODELS.resolve("cifar-robust-normalized.pt"))) {
            EvaluationReport onPixels = evaluate(robust, attacks, 100);
            EvaluationReport described = evaluate(normalized, attacks, 100, normalization);
            EvaluationReport undescribed = evaluate(normalized, "- {type: noise, epsilon: \"0.031373\"}", 100);
            System.out.printf(Locale.ROOT, "[colour] pixel model clean %.3f %s; normalised model with normalization clean %.3f %s, "
                    + "without it clean %.3f%n", onPixels.cleanAccuracy(), rates(onPixels), described.cleanAccuracy(), rates(described),
                    undescribed.cleanAccuracy());
            assertThat(described.cleanAccuracy()).isEqualTo(onPixels.cleanAccuracy());
            for (int a = 0; a < 2; a++) {
                assertThat(described.attacks().get(a).adversarialSuccessRate()).as(described.attacks().get(a).name())
                        .isCloseTo(onPixels.attacks().get(a).adversarialSuccessRate(), Offset.offset(0.02));
                assertThat(described.attacks().get(a).maxPerturbation()).as("epsilon in pixels").isLessThanOrEqualTo(0.031373 + 1e-5);
            }
            assertThat(undescribed.cleanAccuracy()).as("pixels taken for normalised values").isLessThan(onPixels.cleanAccuracy() - 0.2);
        }
    }

    /**
     * cifar-robust-nhwc.pt is the same network taking [N, 32, 32, 3] (export_channels_last.py), as Keras models do: with
     * model.input.layout NHWC (and the shape in that order) the analysis reads the NCHW sample, attacks channels first
     * and sends each example transposed, and gets the NCHW model's figures.
     */
    @Test
    void aChannelsLastModelIsAnalysedWithTheChannelsFirstModelsFigures() throws Exception {
        String attacks = """
                - {type: pgd, epsilon: "0.031373", steps: 20}
                - {type: square, epsilon: "0.031373", queryBudget: 100}
                """;
        try (WhiteBoxModel nhwc = WhiteBoxModel.load(MODELS.resolve("cifar-robust-nhwc.pt"))) {
            EvaluationReport first = evaluate(robust, attacks, 100);
            EvaluationReport last = evaluate(nhwc, attacks, 100, ", layout: NHWC", new long[] {32, 32, 3});
            System.out.printf(Locale.ROOT, "[colour] NCHW model clean %.3f %s; NHWC model clean %.3f %s%n", first.cleanAccuracy(),
                    rates(first), last.cleanAccuracy(), rates(last));
            assertThat(last.cleanAccuracy()).isEqualTo(first.cleanAccuracy());
            for (int a = 0; a < 2; a++) {
                assertThat(last.attacks().get(a).adversarialSuccessRate()).as(last.attacks().get(a).name())
                        .isCloseTo(first.attacks().get(a).adversarialSuccessRate(), Offset.offset(0.02));
            }
        }
    }

    private static List<String> rates(EvaluationReport r) {
        return r.attacks().stream().map(x -> String.format(Locale.ROOT, "%s %.3f", x.name(), x.adversarialSuccessRate())).toList();
    }
}
