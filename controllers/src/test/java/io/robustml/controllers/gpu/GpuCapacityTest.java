package io.robustml.controllers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.robustml.crds.model.RolloutSpec.CapacityPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuCapacityTest {
    static Pod pod(String node, String phase, String resource, String requests, String limits) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().withNodeName(node)
                .addNewContainer().withName("c").withNewResources()
                .addToRequests(requests == null ? Map.of() : Map.of(resource, new Quantity(requests)))
                .addToLimits(limits == null ? Map.of() : Map.of(resource, new Quantity(limits)))
                .endResources().endContainer().endSpec().withNewStatus().withPhase(phase).endStatus();
        return b.build();
    }

    @Test
    void freeIsAllocatableMinusWhatBoundPodsRequest() {
        List<NodeView> nodes = List.of(new NodeView("a", Map.of(), Map.of("nvidia.com/gpu", 4L), true),
                new NodeView("b", Map.of(), Map.of("nvidia.com/gpu", 2L), true));
        List<Pod> pods = List.of(
                pod("a", "Running", "nvidia.com/gpu", "1", "1"),
                pod("a", "Pending", "nvidia.com/gpu", null, "2"),          // limits stand for requests
                pod("a", "Succeeded", "nvidia.com/gpu", "1", "1"),         // ended: frees its GPU
                pod("b", "Running", "nvidia.com/mig-1g.5gb", "1", "1"),    // another resource
                pod("c", "Running", "nvidia.com/gpu", "1", "1"));          // not an eligible node
        assertThat(GpuCapacity.free(nodes, "nvidia.com/gpu", pods)).containsExactly(Map.entry("a", 1L), Map.entry("b", 2L));
    }

    @ParameterizedTest(name = "free {0}, {1}/pod x {2} canary, stable {3}, {4} -> lend {5}, waits {6}")
    @CsvSource({
        // free per node, per pod, canary replicas, stable replicas, policy, lend, waits
        "'2,0', 1, 2, 2, WAIT, 0, false",
        "'1,1', 2, 1, 2, WAIT, 0, true",      // 2 free but on two nodes: no room for a 2-GPU pod
        "'0', 1, 1, 2, WAIT, 0, true",
        "'0', 1, 1, 2, REUSE_STABLE, 1, false",
        "'1', 1, 3, 3, REUSE_STABLE, 2, false",
        "'0', 1, 2, 2, REUSE_STABLE, 0, true",  // one stable pod keeps serving: only 1 lendable
        "'0', 1, 1, 1, REUSE_STABLE, 0, true",
    })
    void aCanaryFitsWaitsOrBorrows(String free, int perPod, int canary, int stable, CapacityPolicy policy, int lend,
            boolean waits) {
        Map<String, Long> freeByNode = new java.util.TreeMap<>();
        String[] parts = free.split(",");
        for (int i = 0; i < parts.length; i++) {
            freeByNode.put("n" + i, Long.parseLong(parts[i]));
        }
        GpuCapacity.Decision d = GpuCapacity.canary("nvidia.com/gpu", perPod, canary, stable, freeByNode, policy);
        assertThat(d.lend()).isEqualTo(lend);
        assertThat(d.waits()).isEqualTo(waits);
    }

    @Test
    void theWaitMessageNamesResourceNeedAndFreeAmount() {
        GpuCapacity.Decision d = GpuCapacity.canary("nvidia.com/mig-1g.5gb", 2, 2, 3,
                new java.util.TreeMap<>(Map.of("a", 1L, "b", 2L)), CapacityPolicy.WAIT);
        assertThat(d.waitMessage()).contains("the canary needs 2 pod(s) × 2 nvidia.com/mig-1g.5gb = 4; the eligible nodes "
                + "have 3 free (a: 1, b: 2), room for 1 pod(s); waiting (set rollout.canary.capacityPolicy: reuseStable to "
                + "borrow the stable revision's replicas for the analysis)");
    }
}
