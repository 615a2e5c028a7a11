package io.robustml.tester.colour;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.AdversarialTestRun;
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
                  input: {shape: [3, 32, 32]}
                """.formatted(attacks.indent(4), MODELS.resolve("cifar10-sample.npz"), samples);
        Assignment a = Assignment.of(Serialization.unmarshal(yaml, AdversarialTestRun.class).getSpec());
        EvaluationData data = EvaluationData.load(a.datasetUri(), a.samples(), 0, Map.of(), SHAPE).in(a.inputRange());
        return new Evaluation(a, new Settings(100, 0, 0, 0.3f, null, 30), new LocalTarget(model, SHAPE), model, SHAPE, data,
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
        assertThat(onStandard.attacks().get(0).perClass()).extracting(EvaluationReport.ClassReport::className)
                .contains("airplane", "cat", "truck");
        assertThat(onStandard.attacks().get(1).adversarialSuccessRate()).as("noise far below PGD")
                .isLessThan(onStandard.attacks().get(0).adversarialSuccessRate() / 2);
    }
}
