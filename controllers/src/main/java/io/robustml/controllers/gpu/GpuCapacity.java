package io.robustml.controllers.gpu;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.robustml.crds.model.RolloutSpec.CapacityPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Free GPUs on the eligible nodes, and whether a canary fits in them: pure, so every case is unit-tested. */
public final class GpuCapacity {
    public static final String INSUFFICIENT_GPU = "InsufficientGPU";

    private GpuCapacity() {
    }

    /**
     * Allocatable minus what pods bound to the node request (pods that ended do not count).
     *
     * @param pods pods bound to any of the nodes ({@code spec.nodeName} set)
     */
    public static Map<String, Long> free(List<NodeView> nodes, String resource, List<Pod> pods) {
        Map<String, Long> free = new TreeMap<>();
        nodes.forEach(n -> free.put(n.name(), n.allocatable(resource)));
        for (Pod pod : pods) {
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (node == null || !free.containsKey(node) || "Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            free.put(node, free.get(node) - requested(pod, resource));
        }
        free.replaceAll((n, f) -> Math.max(0, f));
        return free;
    }

    /** What a pod requests of an extended resource (requests, else limits, which must then be equal). */
    static long requested(Pod pod, String resource) {
        long sum = 0;
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getResources() == null) {
                continue;
            }
            Quantity q = c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
            if (q == null && c.getResources().getLimits() != null) {
                q = c.getResources().getLimits().get(resource);
            }
            if (q != null) {
                sum += Quantity.getAmountInBytes(q).longValue();
            }
        }
        return sum;
    }

    /**
     * @param lend        stable replicas to lend to the canary (0 when it fits)
     * @param waitMessage when the canary must wait: why, with the resource, the need and the free amount
     */
    public record Decision(int lend, Optional<String> waitMessage) {
        public boolean waits() {
            return waitMessage.isPresent();
        }
    }

    /**
     * Whether a canary of {@code canaryReplicas} pods, {@code perPod} devices each, fits in the free
     * devices; with {@code reuseStable}, the shortfall is lent from the stable revision's replicas (at
     * least one stable pod keeps serving), whose GPUs the canary then takes.
     */
    public static Decision canary(String resource, int perPod, int canaryReplicas, int stableReplicas,
            Map<String, Long> free, CapacityPolicy policy) {
        long fit = free.values().stream().mapToLong(f -> f / perPod).sum();
        if (fit >= canaryReplicas) {
            return new Decision(0, Optional.empty());
        }
        int shortfall = (int) (canaryReplicas - fit);
        long total = free.values().stream().mapToLong(Long::longValue).sum();
        String numbers = "the canary needs " + canaryReplicas + " pod(s) × " + perPod + " " + resource + " = "
                + (long) canaryReplicas * perPod + "; the eligible nodes have " + total + " free ("
                + free.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "))
                + "), room for " + fit + " pod(s)";
        if (policy == CapacityPolicy.REUSE_STABLE) {
            int lendable = Math.max(0, stableReplicas - 1);
            if (lendable >= shortfall) {
                return new Decision(shortfall, Optional.empty());
            }
            return new Decision(0, Optional.of(numbers + "; capacityPolicy reuseStable can lend only " + lendable
                    + " of the stable revision's " + stableReplicas + " replica(s) (one keeps serving); waiting"));
        }
        return new Decision(0, Optional.of(numbers + "; waiting (set rollout.canary.capacityPolicy: reuseStable to "
                + "borrow the stable revision's replicas for the analysis)"));
    }
}
