package io.robustml.controllers.gpu;

import java.util.List;

/** What the GPU request of a pod resolves to on this cluster. */
public sealed interface GpuResolution {
    /** Reason of the Degraded condition and the event when the request cannot be satisfied. */
    String GPU_UNAVAILABLE = "GPUUnavailable";

    /** No GPU asked for. */
    record CpuOnly() implements GpuResolution {
    }

    /**
     * @param eligibleNodes the nodes the pods may land on (sorted), for the capacity check; empty when
     *                      the platform could not be read (placement from the spec alone)
     */
    record Placed(GpuPlacement placement, List<String> eligibleNodes) implements GpuResolution {
    }

    /** Nothing on the cluster can satisfy the request: the message says why and what to do. */
    record Unsatisfiable(String message) implements GpuResolution {
        public String reason() {
            return GPU_UNAVAILABLE;
        }
    }
}
