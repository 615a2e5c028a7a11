package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.robustml.crds.model.GpuSpec;
import java.util.Map;
import java.util.Optional;

/**
 * Where and with which extended resource a GPU pod runs, as the NVIDIA device plugin and GPU Feature
 * Discovery name things (DESIGN §4). Pure: the spec in, pod-spec parts out.
 */
public record GpuPlacement(String resourceName, int count, Toleration toleration, Optional<Affinity> affinity,
        Optional<String> runtimeClassName) {
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String PRODUCT_LABEL = "nvidia.com/gpu.product";

    /** Empty for CPU-only pods (no gpu, or count 0). */
    public static Optional<GpuPlacement> of(GpuSpec gpu) {
        if (gpu == null || gpu.count == null || gpu.count == 0) {
            return Optional.empty();
        }
        // Under the GPU Operator's mixed MIG strategy every profile is its own resource.
        String resource = gpu.mig == null ? GPU_RESOURCE : "nvidia.com/mig-" + gpu.mig;
        Toleration toleration = new TolerationBuilder().withKey(GPU_RESOURCE).withOperator("Exists")
                .withEffect("NoSchedule").build();
        Optional<Affinity> affinity = Optional.ofNullable(gpu.product).map(product -> new AffinityBuilder()
                .withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey(PRODUCT_LABEL).withOperator("In")
                .withValues(product).endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        return Optional.of(new GpuPlacement(resource, gpu.count, toleration, affinity,
                Optional.ofNullable(gpu.runtimeClassName)));
    }

    /** Extended resources must be requested with requests equal to limits. */
    public Map<String, Quantity> resources() {
        return Map.of(resourceName, new Quantity(Integer.toString(count)));
    }
}
