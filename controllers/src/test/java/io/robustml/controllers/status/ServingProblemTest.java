package io.robustml.controllers.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingProblemTest {
    private static Pod unschedulable(String message) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase("Pending")
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage(message).endCondition().endStatus().build();
    }

    private static Pod terminated(String message) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase("Running")
                .addNewContainerStatus().withName("model-server").withNewLastState().withNewTerminated().withExitCode(3)
                .withMessage(message).endTerminated().endLastState().endContainerStatus().endStatus().build();
    }

    @Test
    void namesTheMissingGpuResource() {
        var problem = ServingProblem.diagnose(List.of(unschedulable(
                "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient nvidia.com/gpu.")),
                "nvidia.com/gpu", 4).orElseThrow();
        assertThat(problem.reason()).isEqualTo("InsufficientGPU");
        assertThat(problem.message()).contains("no node has 4 free nvidia.com/gpu").contains("0/3 nodes are available");
    }

    @Test
    void otherSchedulingFailuresAreUnschedulable() {
        var problem = ServingProblem.diagnose(List.of(unschedulable("0/3 nodes are available: 3 Insufficient cpu.")),
                "nvidia.com/gpu", 1).orElseThrow();
        assertThat(problem.reason()).isEqualTo("Unschedulable");
        assertThat(ServingProblem.diagnose(List.of(unschedulable("0/3 nodes are available: 3 Insufficient cpu.")),
                null, 0).orElseThrow().reason()).isEqualTo("Unschedulable");
    }

    @Test
    void aContainerThatRefusedTheModelFileIsAnIntegrityFailure() {
        var problem = ServingProblem.diagnose(List.of(terminated(
                "ModelIntegrityFailed: model file /m has sha256 ab but the spec requires cd; refusing to serve it")),
                null, 0).orElseThrow();
        assertThat(problem.reason()).isEqualTo("ModelIntegrityFailed");
        assertThat(problem.message()).contains("refusing to serve");
    }

    @Test
    void aContainerThatCouldNotDownloadTheModelIsAFetchFailure() {
        var problem = ServingProblem.diagnose(List.of(terminated(
                "ModelFetchFailed: s3://models/fashion/model.pt: 403 Forbidden (AccessDenied) after 1 attempt")), null, 0)
                .orElseThrow();
        assertThat(problem.reason()).isEqualTo("ModelFetchFailed");
        assertThat(problem.message()).contains("could not download the model", "403 Forbidden");
        // A tampered file is the sharper finding when both are seen.
        assertThat(ServingProblem.diagnose(List.of(terminated("ModelFetchFailed: x"), terminated("ModelIntegrityFailed: y")),
                null, 0).orElseThrow().reason()).isEqualTo("ModelIntegrityFailed");
    }

    @Test
    void aGpuPodWhoseEngineFoundNoGpuSaysSo() {
        var problem = ServingProblem.diagnose(List.of(terminated("ModelDeviceUnavailable: the pod was given a GPU but the "
                + "PyTorch engine found none")), "nvidia.com/gpu", 1).orElseThrow();
        assertThat(problem.reason()).isEqualTo("ModelDeviceUnavailable");
        assertThat(problem.message()).contains("cannot run the model on the GPU it was given", "found none");
    }

    @Test
    void healthyOrScheduledPodsAreNoProblem() {
        Pod running = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase("Running")
                .endStatus().build();
        assertThat(ServingProblem.diagnose(List.of(running), "nvidia.com/gpu", 1)).isEmpty();
        assertThat(ServingProblem.diagnose(List.of(), null, 0)).isEmpty();
    }
}
