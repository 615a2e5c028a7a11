package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.tester.attack.Norm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssignmentAndReportTest {

    @Test
    void fillsDefaultsAndNamesEachAttack() {
        Assignment a = Assignment.of(spec("""
                - {type: pgd, epsilon: "0.1"}
                - {type: pgd, norm: l2, epsilon: "1.5", steps: 50, restarts: 2}
                - {type: square, epsilon: "0.05", queryBudget: 300}
                - {type: extraction, queryBudget: 1000}
                """, true));
        assertThat(a.attacks()).extracting(AttackPlan::name)
                .containsExactly("pgd-linf-0.1", "pgd-l2-1.5-50steps", "square-linf-0.05", "extraction-1000");
        assertThat(a.attacks().get(0).steps()).isEqualTo(AttackPlan.DEFAULT_STEPS);
        assertThat(a.attacks().get(1).norm()).isEqualTo(Norm.L2);
        assertThat(a.attacks().get(1).restarts()).isEqualTo(2);
        assertThat(a.samples()).isEqualTo(Assignment.DEFAULT_SAMPLES);
    }

    @Test
    void refusesWhiteBoxAttacksWithoutTheModelFileAndDuplicates() {
        assertThatThrownBy(() -> Assignment.of(spec("- {type: fgsm, epsilon: \"0.1\"}", false)))
                .hasMessageContaining("spec.target.modelUri");
        assertThatThrownBy(() -> Assignment.of(spec("- {type: noise, epsilon: \"0.1\"}\n- {type: noise, epsilon: \"0.1\"}", false)))
                .hasMessageContaining("noise-linf-0.1 is listed twice");
        assertThatThrownBy(() -> Assignment.of(spec("- {type: square, norm: l2, epsilon: \"1\", queryBudget: 10}", false)))
                .hasMessageContaining("linf only");
    }

    @Test
    void certificationTakesTheCrdsDefaultsAndNeedsTheModelFile() {
        var spec = spec("- {type: noise, epsilon: \"0.1\"}", true);
        assertThat(Assignment.of(spec).certification()).isNull();
        assertThat(Assignment.of(spec).needsModelFile()).isFalse();
        spec.certification = new io.robustml.crds.model.ThreatModelSpec.CertificationSpec();
        spec.certification.sigma = "0.25";
        spec.certification.radii = List.of("0.5", "0.25");
        Assignment a = Assignment.of(spec);
        assertThat(a.certification()).isEqualTo(new io.robustml.tester.certify.Smoothing(0.25, 100, 1000, 0.001,
                List.of(0.25, 0.5), 100));
        assertThat(a.needsModelFile()).isTrue();
        spec.target.modelUri = null;
        assertThatThrownBy(() -> Assignment.of(spec)).hasMessageContaining("certification").hasMessageContaining("spec.target.modelUri");
    }

    @Test
    void aDirectoryWithoutTrainFilesLendsThePoolFromBeyondTheEvaluationExamples(@TempDir Path dir) throws Exception {
        for (String f : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(Path.of("/usr/share/datasets/fashion-mnist").resolve(f), dir.resolve(f));
        }
        EvaluationData data = EvaluationData.load(dir.toString(), 10, 5);
        assertThat(data.test().count()).isEqualTo(10);
        assertThat(data.pool().count()).isEqualTo(5);
        EvaluationData all = EvaluationData.load(dir.toString(), 15, 0);
        assertThat(data.pool().images()[0]).as("the 11th image, never an evaluated one").isEqualTo(all.test().images()[10]);
        assertThat(EvaluationData.load(dir.toString(), 10, 0).pool()).isNull();
    }

    @Test
    void findsLabelsAndRefusesRemoteDatasets(@TempDir Path dir) throws Exception {
        assertThat(EvaluationData.labelsFor(Path.of("/d/t10k-images-idx3-ubyte.gz")))
                .isEqualTo(Path.of("/d/t10k-labels-idx1-ubyte.gz"));
        assertThatThrownBy(() -> EvaluationData.load("s3://bucket/data", 10, 0)).hasMessageContaining("only local files");
        assertThatThrownBy(() -> EvaluationData.load(dir.toString(), 10, 0)).hasMessageContaining("has none of");
        EvaluationData one = EvaluationData.load("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 20, 30);
        assertThat(one.test().count()).isEqualTo(20);
        assertThat(one.pool().count()).as("the attacker's pool never overlaps the evaluation").isEqualTo(30);
        assertThat(one.pool().images()[0]).isNotEqualTo(one.test().images()[0]);
    }

    @Test
    void checksTheModelFilesDigest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("m.pt"), "weights");
        String sha = io.robustml.fetch.Sha256.of(file);
        assertThat(ModelFile.resolve(file.toUri().toString(), sha)).isEqualTo(file);
        assertThatThrownBy(() -> ModelFile.resolve(file.toString(), "0".repeat(64))).hasMessageContaining("the run expects");
        assertThatThrownBy(() -> ModelFile.resolve("s3://b/m.pt", null)).hasMessageContaining("local disk");
    }

    private static io.robustml.crds.run.AdversarialTestRunSpec spec(String attacks, boolean withModel) {
        String yaml = """
                apiVersion: robustml.io/v1
                kind: AdversarialTestRun
                metadata: {name: r}
                spec:
                  target: {model: m, revision: abc, endpoint: "http://x"%s}
                  attacks:
                %s
                  dataset: {uri: /data}
                """.formatted(withModel ? ", modelUri: /m.pt" : "", attacks.indent(4));
        return Serialization.unmarshal(yaml, AdversarialTestRun.class).getSpec();
    }
}
