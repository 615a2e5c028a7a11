package io.robustml.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.ServingImages;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.ModelSpec;
import io.robustml.crds.model.RobustModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's reading of the pod specs the operator generates, without a cluster. */
class PodPlanTest {
    @TempDir
    Path dir;

    private final AtomicInteger ports = new AtomicInteger(40000);

    private PodPlan.Inputs inputs(Map<String, ConfigMap> cms, Map<String, io.fabric8.kubernetes.api.model.Secret> secrets) {
        return new PodPlan.Inputs(cms::get, secrets::get, dir.resolve("pod"), ports::incrementAndGet,
                List.of(Path.of("/data/models")), Path.of("/repo"), dir.resolve("hosts"), Optional.empty());
    }

    private static RobustModel model() {
        RobustModel m = new RobustModel();
        m.setMetadata(new ObjectMetaBuilder().withName("fc").withNamespace("ns").withUid("u1").build());
        m.setSpec(new RobustModelSpec());
        m.getSpec().model = new ModelSpec();
        m.getSpec().model.uri = "file:///data/models/fashion-robust.pt";
        m.getSpec().model.sha256 = "abc";
        m.getSpec().model.format = ModelSpec.ModelFormat.TORCHSCRIPT;
        return m;
    }

    private static Pod servingPod(RobustModel m) {
        PodSpec spec = ServingDeployment.desired(m, ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate().getSpec();
        return new PodBuilder().withNewMetadata().withName("fc-1").withNamespace("ns").withUid("p1").endMetadata()
                .withSpec(spec).build();
    }

    @Test
    void theServingPodRunsBothProgramsWithTheSidecarPointingAtThisPodsModelServer() {
        RobustModel m = model();
        ConfigMap detector = new ConfigMapBuilder().withNewMetadata().withName("fc-detector").endMetadata()
                .addToData("detector.json", "{}").build();
        PodPlan plan = PodPlan.of(servingPod(m), inputs(Map.of("fc-detector", detector), Map.of()));

        var sidecar = plan.containers().get(0);
        var server = plan.containers().get(1);
        assertThat(sidecar.name()).isEqualTo(ServingDeployment.SIDECAR_CONTAINER);
        assertThat(sidecar.command()).contains("/repo/sidecar-detector/target/quarkus-app/quarkus-run.jar");
        assertThat(server.command()).contains("/repo/model-server/target/quarkus-app/quarkus-run.jar");
        int modelServerPort = plan.ports().get(8081);
        assertThat(server.env()).containsEntry("QUARKUS_HTTP_PORT", Integer.toString(modelServerPort))
                .containsEntry("QUARKUS_HTTP_HOST", "127.0.0.1");
        assertThat(sidecar.env()).containsEntry("ROBUSTML_UPSTREAM", "http://127.0.0.1:" + modelServerPort)
                .containsEntry("QUARKUS_HTTP_PORT", Integer.toString(plan.ports().get(8080)));
        // mount paths point into the pod's folders; the node's model file stays where it is
        assertThat(sidecar.env().get("ROBUSTML_DETECTOR_CONFIG"))
                .isEqualTo(plan.volumeDirs().get("detector-config").resolve("detector.json").toString());
        assertThat(server.env()).containsEntry("ROBUSTML_MODEL_URI", "file:///data/models/fashion-robust.pt")
                .containsEntry("DJL_CACHE_DIR", plan.volumeDirs().get("tmp").resolve("djl").toString())
                .containsEntry("ROBUSTML_MODEL_TERMINATION_LOG", server.terminationMessageFile().toString());
        assertThat(sidecar.readiness().path()).isEqualTo("/v2/health/ready");
        assertThat(sidecar.readiness().port()).isEqualTo(plan.ports().get(8080));
        assertThat(server.readiness()).isNull();
        // The sidecar's metrics port (9090) is its Quarkus management port, moved like the others.
        assertThat(sidecar.env()).containsEntry("QUARKUS_MANAGEMENT_PORT", Integer.toString(plan.ports().get(9090)))
                .containsEntry("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        assertThat(plan.warnings()).noneSatisfy(w -> assertThat(w).contains("9090"));
    }

    @Test
    void onlyTheSidecarGetsTheApiTokenOfItsProjectedVolume() {
        RobustModel m = model();
        ConfigMap detector = new ConfigMapBuilder().withNewMetadata().withName("fc-detector").endMetadata()
                .addToData("detector.json", "{}").build();
        Pod pod = servingPod(m);
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(PodPlan.projectsServiceAccountToken(pod)).isTrue();
        Path kubeconfig = dir.resolve("kubeconfig");
        PodPlan plan = PodPlan.of(pod, new PodPlan.Inputs(Map.of("fc-detector", detector)::get, Map.<String,
                io.fabric8.kubernetes.api.model.Secret>of()::get, dir.resolve("pod"), ports::incrementAndGet,
                List.of(Path.of("/data/models")), Path.of("/repo"), dir.resolve("hosts"), Optional.of(kubeconfig)));

        assertThat(plan.containers().get(0).name()).isEqualTo(ServingDeployment.SIDECAR_CONTAINER);
        assertThat(plan.containers().get(0).env()).containsEntry("KUBECONFIG", kubeconfig.toString());
        assertThat(plan.containers().get(1).env()).as("the model server has no token").doesNotContainKey("KUBECONFIG");
    }

    @Test
    void environmentReferencesAreResolvedLikeKubelet() {
        Pod pod = servingPod(model());
        var c = pod.getSpec().getContainers().get(0);
        c.getEnv().add(new EnvVarBuilder().withName("FROM_CM").withNewValueFrom().withNewConfigMapKeyRef("k", "extra", false)
                .endValueFrom().build());
        c.getEnv().add(new EnvVarBuilder().withName("FROM_SECRET").withNewValueFrom().withNewSecretKeyRef("key", "keys", false)
                .endValueFrom().build());
        c.getEnv().add(new EnvVarBuilder().withName("POD").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().build());
        c.getEnv().add(new EnvVarBuilder().withName("BOTH").withValue("$(POD)/$(FROM_CM)").build());
        var cm = new ConfigMapBuilder().withNewMetadata().withName("extra").endMetadata().addToData("k", "v1").build();
        var detector = new ConfigMapBuilder().withNewMetadata().withName("fc-detector").endMetadata().addToData("detector.json", "{}").build();
        var secret = new SecretBuilder().withNewMetadata().withName("keys").endMetadata()
                .addToData("key", Base64.getEncoder().encodeToString("s3cret".getBytes(StandardCharsets.UTF_8))).build();

        var env = PodPlan.of(pod, inputs(Map.of("extra", cm, "fc-detector", detector), Map.of("keys", secret)))
                .containers().get(0).env();

        assertThat(env).containsEntry("FROM_CM", "v1").containsEntry("FROM_SECRET", "s3cret").containsEntry("POD", "fc-1")
                .containsEntry("BOTH", "fc-1/v1");
        assertThatThrownBy(() -> PodPlan.of(pod, inputs(Map.of("fc-detector", detector), Map.of("keys", secret))))
                .isInstanceOf(PodPlan.MissingReferenceException.class).hasMessageContaining("extra");
    }

    @Test
    void whatTheProgramsCannotRunIsRefused() {
        Pod pvc = servingPod(model());
        pvc.getSpec().getVolumes().add(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim("claim", true).build());
        assertThatThrownBy(() -> PodPlan.of(pvc, inputs(Map.of(), Map.of()))).isInstanceOf(UnrunnablePodException.class)
                .hasMessageContaining("persistentVolumeClaim");

        Pod unknownImage = servingPod(model());
        unknownImage.getSpec().getContainers().get(1).setImage("nvcr.io/nvidia/tritonserver:24.01");
        assertThatThrownBy(() -> PodPlan.of(unknownImage, inputs(Map.of(), Map.of()))).isInstanceOf(UnrunnablePodException.class)
                .hasMessageContaining("tritonserver");

        Pod command = servingPod(model());
        command.getSpec().getContainers().get(0).setCommand(List.of("sh", "-c", "sleep 1"));
        assertThatThrownBy(() -> PodPlan.of(command, inputs(Map.of(), Map.of()))).isInstanceOf(UnrunnablePodException.class)
                .hasMessageContaining("command");
    }

    @Test
    void volumesAreWrittenLikeKubeletsAtomicWriterAndFollowUpdates() throws Exception {
        Path vol = dir.resolve("v");
        assertThat(VolumeWriter.write(vol, Map.of("detector.json", "{\"a\":1}".getBytes()))).isTrue();
        assertThat(Files.readString(vol.resolve("detector.json"))).isEqualTo("{\"a\":1}");
        assertThat(Files.isSymbolicLink(vol.resolve("..data"))).isTrue();
        assertThat(VolumeWriter.write(vol, Map.of("detector.json", "{\"a\":1}".getBytes()))).as("unchanged").isFalse();
        assertThat(VolumeWriter.write(vol, Map.of("detector.json", "{\"a\":2}".getBytes()))).isTrue();
        assertThat(Files.readString(vol.resolve("detector.json"))).isEqualTo("{\"a\":2}");
        try (var entries = Files.list(vol)) {
            assertThat(entries.filter(p -> p.getFileName().toString().startsWith("..v")).count()).as("old versions removed").isEqualTo(1);
        }
    }

    @Test
    void aLoopbackAddressInAValueFollowsThePortsMove() {
        assertThat(PodPlan.rewrite("http://localhost:8081/v2", Map.of(), Map.of(8081, 41000), List.of()))
                .isEqualTo("http://127.0.0.1:41000/v2");
        assertThat(PodPlan.rewrite("/tmp/h/model-server/models/x.pt", Map.of("/tmp", "/pod/tmp"), Map.of(),
                List.of(Path.of("/tmp/h/model-server/models")))).as("a node path is not a mount").isEqualTo("/tmp/h/model-server/models/x.pt");
        assertThat(PodPlan.rewrite("file:///mnt/model-source/m.pt", Map.of("/mnt/model-source", "/pod/v/model"), Map.of(), List.of()))
                .isEqualTo("file:///pod/v/model/m.pt");
    }
}
