package io.robustml.controllers.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.RobustModel;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ServingDeploymentTest {
    private static RobustModel fixture() {
        InputStream in = ServingDeploymentTest.class.getResourceAsStream("/robustmodel-minimal.yaml");
        RobustModel model = Serialization.unmarshal(in, RobustModel.class);
        model.getMetadata().setNamespace("shop");
        return model;
    }

    @Test
    void runsTheModelServerOnLoopbackBehindTheSidecar() {
        Deployment d = ServingDeployment.desired(fixture(), ServingImages.tagged("robustml", "test"), 2);
        var containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName)
                .containsExactly(ServingDeployment.SIDECAR_CONTAINER, ServingDeployment.MODEL_SERVER_CONTAINER);
        Container server = containers.get(1);
        assertThat(server.getPorts()).isEmpty();
        assertThat(server.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("QUARKUS_HTTP_HOST");
            assertThat(e.getValue()).isEqualTo("127.0.0.1");
        });
        assertThat(containers.get(0).getPorts()).extracting(p -> p.getContainerPort())
                .containsExactly(ServingDeployment.SIDECAR_PORT, ServingDeployment.SIDECAR_METRICS_PORT);
    }

    @Test
    void passesTheModelUriFormatAndDigestToTheModelServer() {
        Deployment d = ServingDeployment.desired(fixture(), ServingImages.tagged("robustml", "test"), 2);
        Container server = d.getSpec().getTemplate().getSpec().getContainers().get(1);
        assertThat(server.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains(
                "ROBUSTML_MODEL_NAME=fashion-classifier",
                "ROBUSTML_MODEL_EXIT_ON_INTEGRITY_FAILURE=true",
                "ROBUSTML_MODEL_URI=file:///models/fashion/robust/model.pt",
                "ROBUSTML_MODEL_FORMAT=torchscript",
                "ROBUSTML_MODEL_DEVICE=cpu",
                "ROBUSTML_MODEL_SHA256=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    }

    @Test
    void givesSidecarAndModelServerOneBodyLimitThatFitsTheLargestBatch() {
        RobustModel model = fixture();
        model.getSpec().model.input = new io.robustml.crds.model.ModelSpec.InputSpec();
        model.getSpec().model.input.shape = java.util.List.of(3, 64, 64);
        var containers = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate()
                .getSpec().getContainers();
        assertThat(containers).allSatisfy(c -> assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .contains("ROBUSTML_MAX_BODY_BYTES=" + (1024L * 3 * 64 * 64 * 32 + (1 << 20))));
    }

    @Test
    void passesBatchingAndParallelismToTheModelServerOnlyWhereTheSpecSetsThem() {
        RobustModel model = fixture();
        Container plain = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec()
                .getTemplate().getSpec().getContainers().get(1);
        assertThat(plain.getEnv()).extracting(e -> e.getName())
                .noneMatch(n -> n.startsWith("ROBUSTML_MODEL_BATCHING_") || n.equals("ROBUSTML_MODEL_PREDICTORS")
                        || n.equals("ROBUSTML_MODEL_INTRA_OP_THREADS"));
        model.getSpec().serving.batching = new io.robustml.crds.model.BatchingSpec();
        model.getSpec().serving.batching.maxBatchSize = 32;
        model.getSpec().serving.batching.preferredBatchSizes = java.util.List.of(8, 16);
        model.getSpec().serving.batching.maxQueueDelayMicroseconds = 500L;
        model.getSpec().serving.parallelism = new io.robustml.crds.model.ParallelismSpec();
        model.getSpec().serving.parallelism.instances = 1;
        Container server = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec()
                .getTemplate().getSpec().getContainers().get(1);
        assertThat(server.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains(
                "ROBUSTML_MODEL_BATCHING_MAX_BATCH_SIZE=32", "ROBUSTML_MODEL_BATCHING_PREFERRED_BATCH_SIZES=8,16",
                "ROBUSTML_MODEL_BATCHING_MAX_QUEUE_DELAY_MICROSECONDS=500", "ROBUSTML_MODEL_PREDICTORS=1")
                .noneMatch(e -> e.startsWith("ROBUSTML_MODEL_BATCHING_ENABLED") || e.startsWith("ROBUSTML_MODEL_INTRA_OP"));
    }

    @Test
    void givesTheSidecarTheSharedStoresUrlFromItsSecretWithoutReadingIt() {
        RobustModel model = fixture();
        if (model.getSpec().detector == null) {
            model.getSpec().detector = new io.robustml.crds.model.DetectorSpec();
        }
        model.getSpec().detector.sharedStore = new io.robustml.crds.model.DetectorSpec.SharedStoreSpec();
        model.getSpec().detector.sharedStore.secretRef = "fashion-redis";
        Container sidecar = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        assertThat(sidecar.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("ROBUSTML_FINGERPRINTS_REDIS");
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("fashion-redis");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(ServingDeployment.SHARED_STORE_URL_KEY);
        });
        assertThat(ServingDeployment.desired(fixture(), ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate()
                .getSpec().getContainers().get(0).getEnv()).noneMatch(e -> e.getName().equals("ROBUSTML_FINGERPRINTS_REDIS"));
    }

    @Test
    void selectsItsPodsByModelAndMeetsTheRestrictedPodSecurityStandard() {
        Deployment d = ServingDeployment.desired(fixture(), ServingImages.tagged("robustml", "test"), 2);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getSelector().getMatchLabels())
                .containsEntry("robustml.io/model", "fashion-classifier");
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getContainers()).allSatisfy(c -> {
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        });
    }

    @Test
    void gpuPodsRequestTheResourceWithRequestsEqualToLimitsAndLandOnTheProduct() {
        RobustModel model = Serialization.unmarshal(getClass().getResourceAsStream("/robustmodel-gpu.yaml"), RobustModel.class);
        model.getMetadata().setNamespace("shop");
        var pod = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate().getSpec();
        var resources = pod.getContainers().get(1).getResources();
        assertThat(resources.getLimits()).containsEntry("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("1"));
        assertThat(resources.getRequests()).containsEntry("nvidia.com/gpu", new io.fabric8.kubernetes.api.model.Quantity("1"))
                .containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("500m"));
        assertThat(pod.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getValues()).containsExactly("NVIDIA-A100-SXM4-40GB");
        assertThat(pod.getContainers().get(0).getResources()).as("the sidecar needs no GPU").isNull();
        assertThat(pod.getContainers().get(1).getEnv()).as("the model server must find the GPU or say so")
                .extracting(e -> e.getName() + "=" + e.getValue()).contains("ROBUSTML_MODEL_DEVICE=gpu");
    }

    @Test
    void aPvcModelIsReadFromTheClaimMountedReadOnly() {
        RobustModel model = fixture();
        model.getSpec().model.uri = "pvc://models/fashion/v3/model.pt";
        var pod = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null).singleElement().satisfies(v -> {
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("models");
            assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
        });
        var server = pod.getContainers().get(1);
        assertThat(server.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
                .isEqualTo("ROBUSTML_MODEL_URI=file:///mnt/model-source/fashion/v3/model.pt"));
        assertThat(server.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/mnt/model-source");
            assertThat(m.getReadOnly()).isTrue();
        });
    }

    @Test
    void labelsPodsWithTheRevision() {
        var d = ServingDeployment.desired(fixture(), ServingImages.tagged("robustml", "test"), 2);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels().get("robustml.io/revision")).matches("[0-9a-f]{10}");
    }

    @Test
    void theSidecarKeepsItsForensicLogOnABoundedVolumeUnlessTurnedOff() {
        RobustModel model = fixture();
        Deployment d = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 2);
        Container sidecar = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(sidecar.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .contains("ROBUSTML_FORENSIC_LOG_DIR=" + ServingDeployment.FORENSIC_PATH)
                .anyMatch(e -> e.startsWith("ROBUSTML_MODEL_REVISION="));
        assertThat(sidecar.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(ServingDeployment.FORENSIC_VOLUME);
            assertThat(m.getReadOnly()).as("writable: readOnly left out").isNull();
        });
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(ServingDeployment.FORENSIC_VOLUME);
            assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("300Mi");
        });

        model.getSpec().detector = new io.robustml.crds.model.DetectorSpec();
        model.getSpec().detector.forensicLog = new io.robustml.crds.model.DetectorSpec.ForensicLogSpec();
        model.getSpec().detector.forensicLog.enabled = false;
        Deployment off = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 2);
        assertThat(off.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .noneMatch(e -> e.getName().equals("ROBUSTML_FORENSIC_LOG_DIR"));
        assertThat(off.getSpec().getTemplate().getSpec().getVolumes())
                .noneMatch(v -> v.getName().equals(ServingDeployment.FORENSIC_VOLUME));
    }

    @Test
    void bothContainersKeepAnsweringWhileTheirEndpointIsWithdrawn() {
        var pod = ServingDeployment.desired(fixture(), ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate()
                .getSpec();
        assertThat(pod.getContainers()).allSatisfy(c -> assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds())
                .isEqualTo(ServingDeployment.DRAIN_SECONDS));
        assertThat(pod.getTerminationGracePeriodSeconds()).as("the default 30 s covers the drain").isNull();
    }
}
