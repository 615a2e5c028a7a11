package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.model.GpuSpec;
import io.robustml.crds.model.RobustModelStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the operator reports when the real data plane cannot serve: a tampered model file, too few GPUs. */
@WithControlPlane(podSecurity = "restricted")
class ServingProblemScenariosTest {

    private static boolean degraded(RobustModelStatus s, String reason) {
        return s != null && s.conditions.stream().anyMatch(c -> "Degraded".equals(c.getType())
                && "True".equals(c.getStatus()) && reason.equals(c.getReason()));
    }

    @Test
    void aModelFileWhoseDigestDoesNotMatchIsNeverServed(KubernetesClient client, TestNamespace ns, LocalControlPlane plane)
            throws Exception {
        Path models = plane.repoRoot().resolve("e2e-tests/target/e2e").resolve(ns.name()).resolve("node-models");
        Path tampered = models.resolve("fashion-robust.pt");
        Scenario.writeTampered(tampered, ModelServerProcess.modelFile(plane.repoRoot(), "robust"));
        try (Scenario s = Scenario.start(client, ns.name(), plane.repoRoot(), models)) {
            Instant applied = Instant.now();
            s.apply(tampered, ModelServerProcess.ROBUST_SHA256, "0.35", RolloutScenariosTest.SAMPLES);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                s.assertHarnessHealthy();
                return degraded(s.status(), "ModelIntegrityFailed");
            });
            System.out.printf("[e2e] tampered model: spec applied -> ModelIntegrityFailed +%.1f s%n",
                    Duration.between(applied, Instant.now()).toMillis() / 1000.0);
            RobustModelStatus st = s.status();
            var degraded = st.conditions.stream().filter(c -> "Degraded".equals(c.getType())).findFirst().orElseThrow();
            System.out.println("[e2e] Degraded: " + degraded.getMessage());
            assertThat(degraded.getMessage()).contains("ModelIntegrityFailed");
            assertThat(st.phase).isNotEqualTo("Ready");
            assertThat(st.stableRevision).isNull();
            assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).list().getItems())
                    .as("never analysed, never served").isEmpty();
            assertThat(s.harness.log("fashion-classifier-", "model-server")).contains("ModelIntegrityFailed");
            s.assertHarnessHealthy();
        }
    }

    @Test
    void moreGpusThanTheClusterHasIsReportedAsInsufficientGpu(KubernetesClient client, TestNamespace ns,
            LocalControlPlane plane) throws Exception {
        try (Scenario s = Scenario.start(client, ns.name(), plane.repoRoot())) {
            // Two pods of 2 GPUs each: the A100 node fits one, the L4 node (1 GPU) neither.
            s.apply("robust", "0.35", RolloutScenariosTest.SAMPLES, m -> {
                m.getSpec().serving.replicas = 2;
                m.getSpec().serving.gpu = new GpuSpec();
                m.getSpec().serving.gpu.count = 2;
            });
            Instant applied = Instant.now();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                s.assertHarnessHealthy();
                return degraded(s.status(), "InsufficientGPU");
            });
            System.out.printf("[e2e] too many GPUs: spec applied -> InsufficientGPU +%.1f s%n",
                    Duration.between(applied, Instant.now()).toMillis() / 1000.0);
            var degraded = s.status().conditions.stream().filter(c -> "Degraded".equals(c.getType())).findFirst().orElseThrow();
            System.out.println("[e2e] Degraded: " + degraded.getMessage());
            assertThat(degraded.getMessage()).contains("nvidia.com/gpu");
            assertThat(s.status().phase).isNotEqualTo("Ready");
            s.assertHarnessHealthy();
        }
    }
}
