package io.robustml.controllers.gpu;

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
        Optional<String> runtimeClassName, Optional<DraClaim> dra) {
    /** Legacy shape: extended resources from the device plugin, no claim. */
    public GpuPlacement(String resourceName, int count, Toleration toleration, Optional<Affinity> affinity,
            Optional<String> runtimeClassName) {
        this(resourceName, count, toleration, affinity, runtimeClassName, Optional.empty());
    }

    /**
     * Dynamic Resource Allocation: one claim per pod (from a ResourceClaimTemplate) for {@code count}
     * devices of NVIDIA's {@code deviceClass}, narrowed by CEL {@code selectors}.
     */
    public record DraClaim(String deviceClass, int count, java.util.List<String> selectors) {
    }

    public static final String DRA_GPU_CLASS = "gpu.nvidia.com";
    public static final String DRA_MIG_CLASS = "mig.nvidia.com";
    /** The attribute and capacity domain of NVIDIA's DRA driver. */
    public static final String DRA_DOMAIN = "gpu.nvidia.com";

    /** A DRA request from the spec: product and memory become CEL selectors on the driver's attributes. */
    public static GpuPlacement dra(GpuSpec gpu) {
        java.util.List<String> selectors = new java.util.ArrayList<>();
        String attrs = "device.attributes['" + DRA_DOMAIN + "']";
        if (gpu.product != null) {
            // GFD writes the product with dashes for spaces (NVIDIA-A100-SXM4-40GB); the driver's
            // productName keeps NVIDIA's space (NVIDIA A100-SXM4-40GB): either matches.
            String spaced = gpu.product.replaceFirst("-", " ");
            selectors.add(attrs + ".productName in ['" + gpu.product + "', '" + spaced + "']");
        }
        if (gpu.mig != null) {
            selectors.add(attrs + ".profile == '" + gpu.mig + "'");
        }
        if (gpu.minMemoryMiB != null) {
            selectors.add("device.capacity['" + DRA_DOMAIN + "'].memory.compareTo(quantity('" + gpu.minMemoryMiB
                    + "Mi')) >= 0");
        }
        DraClaim claim = new DraClaim(gpu.mig == null ? DRA_GPU_CLASS : DRA_MIG_CLASS, gpu.count, selectors);
        return new GpuPlacement(claim.deviceClass(), gpu.count, gpuToleration(), Optional.empty(),
                Optional.ofNullable(gpu.runtimeClassName), Optional.of(claim));
    }

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String PRODUCT_LABEL = "nvidia.com/gpu.product";

    /**
     * From the spec alone, when the platform cannot be read (no permission to list nodes): whole GPUs
     * as {@code nvidia.com/gpu}, a MIG profile as the mixed strategy's {@code nvidia.com/mig-<profile>}.
     * Empty for CPU-only pods (no gpu, or count 0). {@link io.robustml.controllers.gpu.GpuResolver}
     * decides when the platform is known.
     */
    public static Optional<GpuPlacement> of(GpuSpec gpu) {
        if (gpu == null || gpu.count == null || gpu.count == 0) {
            return Optional.empty();
        }
        // Under the GPU Operator's mixed MIG strategy every profile is its own resource.
        String resource = gpu.mig == null ? GPU_RESOURCE : "nvidia.com/mig-" + gpu.mig;
        Toleration toleration = gpuToleration();
        Optional<Affinity> affinity = Optional.ofNullable(gpu.product).map(product -> new AffinityBuilder()
                .withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey(PRODUCT_LABEL).withOperator("In")
                .withValues(product).endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        return Optional.of(new GpuPlacement(resource, gpu.count, toleration, affinity,
                Optional.ofNullable(gpu.runtimeClassName)));
    }

    /** The GPU Operator taints GPU nodes {@code nvidia.com/gpu:NoSchedule}; GPU pods tolerate it. */
    public static Toleration gpuToleration() {
        return new TolerationBuilder().withKey(GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").build();
    }

    /**
     * The same placement with the node affinity the revision's running Deployment already has, when it
     * requests the same resource: a change in which nodes qualify (a node added or relabelled) must not
     * roll a running revision's pods. The spec, and so the product and memory rules, cannot differ
     * within a revision.
     */
    public GpuPlacement keepingAffinityOf(io.fabric8.kubernetes.api.model.apps.Deployment existing) {
        if (dra.isPresent() || existing == null || existing.getSpec() == null || existing.getSpec().getTemplate() == null) {
            return this;
        }
        var pod = existing.getSpec().getTemplate().getSpec();
        boolean sameResource = pod.getContainers().stream().anyMatch(c -> c.getResources() != null
                && c.getResources().getLimits() != null
                && new Quantity(Integer.toString(count)).equals(c.getResources().getLimits().get(resourceName)));
        if (!sameResource) {
            return this;
        }
        return new GpuPlacement(resourceName, count, toleration, Optional.ofNullable(pod.getAffinity()), runtimeClassName);
    }

    /** Extended resources must be requested with requests equal to limits. */
    public Map<String, Quantity> resources() {
        return dra.isPresent() ? Map.of() : Map.of(resourceName, new Quantity(Integer.toString(count)));
    }
}
