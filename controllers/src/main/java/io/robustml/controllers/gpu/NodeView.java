package io.robustml.controllers.gpu;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the GPU resolution needs of a Node: its labels (GPU Feature Discovery's among them), the
 * whole-number extended resources it can allocate, and whether new pods may land on it.
 */
public record NodeView(String name, Map<String, String> labels, Map<String, Long> allocatable, boolean schedulable) {
    public NodeView {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        allocatable = allocatable == null ? Map.of() : Map.copyOf(allocatable);
    }

    public static NodeView of(Node node) {
        Map<String, Long> allocatable = new TreeMap<>();
        if (node.getStatus() != null && node.getStatus().getAllocatable() != null) {
            node.getStatus().getAllocatable().forEach((name, q) -> {
                if (name.startsWith("nvidia.com/")) {
                    allocatable.put(name, Quantity.getAmountInBytes(q).longValue());
                }
            });
        }
        boolean schedulable = node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        return new NodeView(node.getMetadata().getName(), node.getMetadata().getLabels(), allocatable, schedulable);
    }

    public String label(String key) {
        return labels.get(key);
    }

    public long allocatable(String resource) {
        return allocatable.getOrDefault(resource, 0L);
    }
}
