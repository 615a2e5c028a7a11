package io.robustml.controllers.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.Labels;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The analysis objects built from the complete example manifest. */
class AnalysisResourcesTest {
    private static RobustModel example() throws Exception {
        RobustModel m = Serialization.unmarshal(java.nio.file.Files.newInputStream(
                Path.of(System.getProperty("robustml.repo.root", "..")).resolve("examples/cpu-model.yaml")), RobustModel.class);
        m.getMetadata().setNamespace("ml");
        m.getMetadata().setUid("uid-1");
        return m;
    }

    @Test
    void theRunCopiesTheSuiteAndPointsAtTheRevisionsOwnService() throws Exception {
        RobustModel m = example();
        AdversarialTestRun run = AnalysisResources.run(m, "fashion-classifier-abc-a1", "abc");
        assertThat(run.getSpec().target.endpoint).isEqualTo("http://fashion-classifier-abc.ml.svc");
        assertThat(run.getSpec().target.modelUri).isEqualTo("file:///mnt/model-source/fashion/robust/model.pt");
        assertThat(run.getSpec().target.modelSha256).isEqualTo(m.getSpec().model.sha256);
        assertThat(run.getSpec().dataset.uri).isEqualTo("file:///mnt/dataset/fashion-mnist/t10k");
        assertThat(run.getSpec().dataset.samples).isEqualTo(500);
        assertThat(run.getSpec().attacks).hasSize(4);
        assertThat(run.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getController()).isTrue());
    }

    @Test
    void theJobRunsOnceWithTheDataMountedReadOnlyAndTheRunsDeadline() throws Exception {
        var job = AnalysisResources.job(example(), "fashion-classifier-abc-a1", "abc", ServingImages.tagged("robustml", "test"));
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900L);
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getContainers().get(0).getVolumeMounts()).extracting(v -> v.getMountPath() + ":" + v.getReadOnly())
                .contains("/mnt/dataset:true", "/mnt/model-source:true", "/tmp:false");
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.COMPONENT, "analysis");
        assertThat(pod.getContainers().get(0).getEnv()).filteredOn(e -> "ROBUSTML_TESTER_API_KEY".equals(e.getName()))
                .singleElement().satisfies(e -> {
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("fashion-classifier-tester-key");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("apiKey");
                });
    }

    @Test
    void theJobRunsOnTheNodesTheModelServesOn() throws Exception {
        RobustModel m = example();
        m.getSpec().serving.nodeSelector = java.util.Map.of("robustml.io/real-node", "true");
        m.getSpec().serving.tolerations = java.util.List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder()
                .withKey("robustml.io/real-node").withOperator("Exists").withEffect("NoSchedule").build());
        var pod = AnalysisResources.job(m, "fashion-classifier-abc-a1", "abc", ServingImages.tagged("robustml", "test"))
                .getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).containsExactly(java.util.Map.entry("robustml.io/real-node", "true"));
        assertThat(pod.getTolerations()).extracting(t -> t.getKey()).containsExactly("robustml.io/real-node");
    }

    @Test
    void theTesterMayTouchOnlyItsOwnRunAndItsReport() throws Exception {
        var role = AnalysisResources.role(example(), "fashion-classifier-abc-a1");
        assertThat(role.getRules()).hasSize(3).allSatisfy(r -> {
            assertThat(r.getResourceNames()).containsExactly(r.getResources().contains("configmaps")
                    ? "fashion-classifier-abc-a1-report" : "fashion-classifier-abc-a1");
            assertThat(r.getVerbs()).doesNotContain("create", "delete", "list", "watch");
        });
        var report = AnalysisResources.reportConfigMap(example(), "fashion-classifier-abc-a1", "abc");
        assertThat(report.getMetadata().getName()).isEqualTo("fashion-classifier-abc-a1-report");
        assertThat(report.getMetadata().getLabels()).containsEntry(AnalysisResources.RUN_LABEL, "fashion-classifier-abc-a1")
                .containsEntry(Labels.REVISION, "abc");
        assertThat(report.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
        assertThat(report.getData()).isNullOrEmpty();
    }

    @Test
    void aReferenceSurrogateIsMountedReadOnlyAndTheDatasetDigestsTravelWithTheRun() throws Exception {
        RobustModel m = example();
        var transfer = new io.robustml.crds.model.AttackSpec();
        transfer.type = io.robustml.crds.model.AttackSpec.AttackType.TRANSFER;
        transfer.epsilon = "0.1";
        transfer.surrogate = io.robustml.crds.model.AttackSpec.Surrogate.REFERENCE;
        m.getSpec().threatModel.attacks = new java.util.ArrayList<>(m.getSpec().threatModel.attacks);
        m.getSpec().threatModel.attacks.add(transfer);
        m.getSpec().threatModel.surrogateModel = new io.robustml.crds.model.ThreatModelSpec.SurrogateModelSpec();
        m.getSpec().threatModel.surrogateModel.uri = "pvc://models/fashion/v1/model.pt";
        m.getSpec().threatModel.surrogateModel.sha256 = "ab".repeat(32);
        var checksum = new io.robustml.crds.model.RolloutSpec.DatasetChecksum();
        checksum.file = "t10k-images-idx3-ubyte.gz";
        checksum.sha256 = "cd".repeat(32);
        m.getSpec().rollout.analysis.datasetChecksums = java.util.List.of(checksum);

        AdversarialTestRun run = AnalysisResources.run(m, "fashion-classifier-abc-a1", "abc");
        assertThat(run.getSpec().surrogateModel.uri).isEqualTo("file:///mnt/surrogate/fashion/v1/model.pt");
        assertThat(run.getSpec().surrogateModel.sha256).isEqualTo("ab".repeat(32));
        assertThat(run.getSpec().dataset.checksums).singleElement().satisfies(c -> {
            assertThat(c.file).isEqualTo("t10k-images-idx3-ubyte.gz");
            assertThat(c.sha256).isEqualTo("cd".repeat(32));
        });
        var pod = AnalysisResources.job(m, "fashion-classifier-abc-a1", "abc", ServingImages.tagged("robustml", "test")).getSpec().getTemplate()
                .getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> "surrogate".equals(v.getName())).singleElement()
                .satisfies(v -> {
                    assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("models");
                    assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
                });
        assertThat(pod.getContainers().get(0).getVolumeMounts()).extracting(v -> v.getMountPath() + ":" + v.getReadOnly())
                .contains("/mnt/surrogate:true");
    }

    @Test
    void filesInAStoreGoToTheTesterAsTheyAreWithTheModelsCredentialsAndACacheInItsTmp() throws Exception {
        RobustModel m = example();
        m.getSpec().model.uri = "s3://models/fashion/robust/model.pt";
        m.getSpec().model.credentials = new io.robustml.crds.model.ModelSpec.CredentialsSpec();
        m.getSpec().model.credentials.secretRef = "model-store";
        m.getSpec().rollout.analysis.dataset = "https://data.example/fashion/test.npz";

        AdversarialTestRun run = AnalysisResources.run(m, "fashion-classifier-abc-a1", "abc");
        assertThat(run.getSpec().target.modelUri).isEqualTo("s3://models/fashion/robust/model.pt");
        assertThat(run.getSpec().dataset.uri).isEqualTo("https://data.example/fashion/test.npz");
        var pod = AnalysisResources.job(m, "fashion-classifier-abc-a1", "abc", ServingImages.tagged("robustml", "test")).getSpec()
                .getTemplate().getSpec();
        var env = pod.getContainers().get(0).getEnv();
        assertThat(env).filteredOn(e -> "ROBUSTML_FETCH_CACHE_DIR".equals(e.getName())).singleElement()
                .satisfies(e -> assertThat(e.getValue()).startsWith("/tmp/"));
        assertThat(env).filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                        && "model-store".equals(e.getValueFrom().getSecretKeyRef().getName()))
                .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getKey())
                .contains("AWS_ACCESS_KEY_ID=AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY=AWS_SECRET_ACCESS_KEY",
                        "ROBUSTML_S3_ENDPOINT=endpoint", "ROBUSTML_MODEL_TOKEN=token");
        assertThat(pod.getVolumes()).extracting(v -> v.getName()).doesNotContain("dataset", "model-source");

        m.getSpec().model.credentials = null;
        var plain = AnalysisResources.job(m, "fashion-classifier-abc-a1", "abc", ServingImages.tagged("robustml", "test")).getSpec()
                .getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(plain).noneMatch(e -> e.getName().startsWith("AWS_"));
    }

    @Test
    void servicesAndTheDisruptionBudgetSelectServingPodsOnly() throws Exception {
        RobustModel m = example();
        assertThat(ServingService.desired(m).getSpec().getSelector()).containsEntry(Labels.COMPONENT, "serving");
        assertThat(ServingService.forRevision(m, "abc").getSpec().getSelector())
                .containsEntry(Labels.COMPONENT, "serving").containsEntry(Labels.REVISION, "abc");
        assertThat(io.robustml.controllers.dependent.ServingDisruptionBudget.desired(m).getSpec().getSelector().getMatchLabels())
                .containsEntry(Labels.COMPONENT, "serving");
    }
}
