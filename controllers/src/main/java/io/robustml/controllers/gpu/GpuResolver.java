package io.robustml.controllers.gpu;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.robustml.controllers.gpu.SharingConfig.DevicePluginConfig;
import io.robustml.crds.model.GpuSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Resolves a pod's GPU request against how the platform runs its GPUs (see docs/gpus.md), as a pure
 * function of the GPU spec, the GPU Operator's ClusterPolicy (if any), the device plugin's sharing
 * config (if any) and the nodes' GPU Feature Discovery labels and allocatable resources. The nodes are
 * the ground truth (what they advertise is what the scheduler can give); the ClusterPolicy and the
 * device-plugin config fill in what labels leave open and explain why nothing fits.
 */
public final class GpuResolver {
    public static final String GPU = GpuPlacement.GPU_RESOURCE;
    public static final String MIG_PREFIX = "nvidia.com/mig-";
    public static final String SHARED_SUFFIX = ".shared";
    public static final String PRODUCT_LABEL = GpuPlacement.PRODUCT_LABEL;
    public static final String MEMORY_LABEL = "nvidia.com/gpu.memory";
    public static final String MIG_STRATEGY_LABEL = "nvidia.com/mig.strategy";
    public static final String SHARING_STRATEGY_LABEL = "nvidia.com/gpu.sharing-strategy";
    public static final String REPLICAS_LABEL = "nvidia.com/gpu.replicas";
    /** GPU Feature Discovery's suffix on the product label of a shared GPU. */
    public static final String SHARED_PRODUCT_SUFFIX = "-SHARED";
    /** GPU Feature Discovery's infix on the product label of a MIG slice under the single strategy. */
    public static final String MIG_PRODUCT_INFIX = "-MIG-";

    private GpuResolver() {
    }

    /**
     * One kind of GPU a node advertises.
     *
     * @param resource     the extended resource name as the node advertises it
     * @param profile      the MIG profile (mixed: from the resource; single: from the product label), null for whole GPUs
     * @param product      the GPU product without the -MIG-… and -SHARED parts
     * @param productLabel the node's nvidia.com/gpu.product label as is
     * @param memoryMiB    memory per device (nvidia.com/gpu.memory, or nvidia.com/mig-&lt;profile&gt;.memory under mixed)
     */
    record Offer(NodeView node, String resource, String profile, String product, String productLabel, Long memoryMiB,
            boolean shared, boolean failGreaterThanOne, long allocatable) {
        String describe() {
            return node.name() + ": " + allocatable + " " + resource + (product == null ? "" : " (" + product
                    + (profile == null ? "" : " MIG " + profile) + (memoryMiB == null ? "" : ", " + memoryMiB + " MiB")
                    + (shared ? ", shared" : "") + ")");
        }
    }

    /**
     * @param nodeSelector the pods' own node selector (spec.serving.nodeSelector); only nodes it matches count
     */
    public static GpuResolution resolve(GpuSpec spec, Optional<ClusterPolicyView> policy, Optional<SharingConfig> sharing,
            List<NodeView> nodes, Map<String, String> nodeSelector) {
        if (spec == null || spec.count == null || spec.count == 0) {
            return new GpuResolution.CpuOnly();
        }
        if (spec.allocation == GpuSpec.Allocation.DRA) {
            // The scheduler allocates devices from ResourceSlices itself; the request is a claim, not a resource name.
            return new GpuResolution.Placed(GpuPlacement.dra(spec), List.of());
        }
        int count = spec.count;
        boolean exclusive = spec.sharing == null || spec.sharing == GpuSpec.Sharing.EXCLUSIVE;
        List<NodeView> usable = nodes.stream().filter(NodeView::schedulable)
                .filter(n -> nodeSelector == null || nodeSelector.entrySet().stream()
                        .allMatch(e -> e.getValue().equals(n.label(e.getKey()))))
                .sorted(Comparator.comparing(NodeView::name)).toList();
        List<Offer> all = usable.stream().flatMap(n -> offers(n, sharing.flatMap(s -> s.forNode(n))).stream()).toList();
        String where = nodeSelector == null || nodeSelector.isEmpty() ? "" : " among the nodes matching nodeSelector " + nodeSelector;
        String expected = expectedResource(spec, policy, sharing);

        if (spec.mig != null && !migEnabled(policy, sharing, usable, all)) {
            return new GpuResolution.Unsatisfiable("MIG profile " + spec.mig + " asked for, but the cluster runs no MIG ("
                    + policy.map(p -> "ClusterPolicy " + p.name() + " has mig.strategy " + p.migStrategy())
                            .orElse("no ClusterPolicy, and no node is labelled " + MIG_STRATEGY_LABEL + "=single or mixed")
                    + "): ask for whole GPUs (remove gpu.mig) or ask the platform team to enable MIG");
        }
        if (all.isEmpty()) {
            return new GpuResolution.Unsatisfiable("no node advertises NVIDIA GPUs (" + expected + ")" + where
                    + ": is the GPU Operator's device plugin running?");
        }
        List<Offer> step = all;
        step = narrow(step, o -> Objects.equals(o.profile(), spec.mig));
        if (step.isEmpty()) {
            return new GpuResolution.Unsatisfiable((spec.mig == null ? "no node offers whole GPUs"
                    : "no node offers MIG profile " + spec.mig + " (" + expected + ")") + where + "; offered: " + summary(all));
        }
        if (spec.product != null) {
            List<Offer> before = step;
            step = narrow(step, o -> spec.product.equals(o.product()));
            if (step.isEmpty()) {
                return new GpuResolution.Unsatisfiable("no node has GPU product " + spec.product
                        + (spec.mig == null ? "" : " with MIG profile " + spec.mig) + where + "; found: "
                        + before.stream().map(Offer::product).filter(Objects::nonNull).distinct().sorted()
                                .collect(Collectors.joining(", ", "[", "]")));
            }
        }
        if (spec.minMemoryMiB != null) {
            List<Offer> before = step;
            step = narrow(step, o -> o.memoryMiB() != null && o.memoryMiB() >= spec.minMemoryMiB);
            if (step.isEmpty()) {
                Optional<Long> largest = before.stream().map(Offer::memoryMiB).filter(Objects::nonNull).max(Long::compare);
                return new GpuResolution.Unsatisfiable("no GPU has at least " + spec.minMemoryMiB + " MiB" + where
                        + (largest.map(m -> " (the largest has " + m + " MiB per " + MEMORY_LABEL + ")")
                                .orElse(" (no node has a " + MEMORY_LABEL + " label)")));
            }
        }
        if (exclusive) {
            List<Offer> before = step;
            step = narrow(step, o -> !o.shared());
            if (step.isEmpty()) {
                return new GpuResolution.Unsatisfiable("only shared GPUs match (time-slicing or MPS: "
                        + before.stream().map(Offer::resource).distinct().sorted().collect(Collectors.joining(", "))
                        + " on " + nodeNames(before) + "); set gpu.sharing: allowed to accept them, or ask the platform"
                        + " team for unshared GPUs");
            }
        }
        if (count > 1) {
            List<Offer> before = step;
            step = narrow(step, o -> !(o.shared() && o.failGreaterThanOne()));
            if (step.isEmpty()) {
                return new GpuResolution.Unsatisfiable("the matching GPUs are shared and the device plugin refuses "
                        + "requests for more than one of them (MPS, or time-slicing with failRequestsGreaterThanOne) on "
                        + nodeNames(before) + ": ask for count 1");
            }
        }
        List<Offer> eligible = step;
        List<Offer> fitting = narrow(eligible, o -> o.allocatable() >= count);
        if (fitting.isEmpty()) {
            Offer most = eligible.stream().max(Comparator.comparingLong(Offer::allocatable)).orElseThrow();
            return new GpuResolution.Unsatisfiable("no eligible node has " + count + " " + most.resource()
                    + " allocatable (most: " + most.allocatable() + " on " + most.node().name() + ")" + where);
        }

        // One resource name per pod: exclusive GPUs first, then the most of them, then by name.
        Map<String, List<Offer>> byResource = fitting.stream().collect(Collectors.groupingBy(Offer::resource,
                LinkedHashMap::new, Collectors.toList()));
        String resource = byResource.entrySet().stream().sorted(Comparator
                .comparing((Map.Entry<String, List<Offer>> e) -> e.getValue().stream().anyMatch(Offer::shared))
                .thenComparing(e -> -e.getValue().stream().mapToLong(Offer::allocatable).sum())
                .thenComparing(Map.Entry::getKey)).findFirst().orElseThrow().getKey();
        List<Offer> chosen = narrow(eligible, o -> o.resource().equals(resource));
        List<String> eligibleNodes = narrow(fitting, o -> o.resource().equals(resource)).stream()
                .map(o -> o.node().name()).distinct().sorted().toList();

        List<NodeSelectorRequirement> labelRules = new ArrayList<>();
        List<NodeSelectorRequirement> fieldRules = new ArrayList<>();
        // Nodes that advertise the same resource but do not qualify (the memory rule below excludes its own).
        List<Offer> others = all.stream().filter(o -> o.resource().equals(resource) && !chosen.contains(o))
                .filter(o -> spec.minMemoryMiB == null || o.memoryMiB() != null && o.memoryMiB() >= spec.minMemoryMiB)
                .toList();
        boolean singleMig = spec.mig != null && !resource.startsWith(MIG_PREFIX);
        if (spec.product != null || singleMig || !others.isEmpty()) {
            Set<String> values = chosen.stream().map(Offer::productLabel).collect(Collectors.toCollection(TreeSet::new));
            boolean byProduct = chosen.stream().allMatch(o -> o.productLabel() != null)
                    && others.stream().noneMatch(o -> values.contains(o.productLabel()));
            if (byProduct) {
                labelRules.add(new NodeSelectorRequirementBuilder().withKey(PRODUCT_LABEL).withOperator("In")
                        .withValues(List.copyOf(values)).build());
            } else {
                // The labels cannot tell the eligible nodes from the others: name them.
                fieldRules.add(new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In")
                        .withValues(chosen.stream().map(o -> o.node().name()).distinct().sorted().toList()).build());
            }
        }
        if (spec.minMemoryMiB != null) {
            labelRules.add(new NodeSelectorRequirementBuilder().withKey(MEMORY_LABEL).withOperator("Gt")
                    .withValues(Integer.toString(spec.minMemoryMiB - 1)).build());
        }
        Optional<Affinity> affinity = labelRules.isEmpty() && fieldRules.isEmpty() ? Optional.empty()
                : Optional.of(new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                        .withNodeSelectorTerms(new NodeSelectorTermBuilder().withMatchExpressions(labelRules)
                                .withMatchFields(fieldRules).build())
                        .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        GpuPlacement placement = new GpuPlacement(resource, count, GpuPlacement.gpuToleration(), affinity,
                Optional.ofNullable(spec.runtimeClassName));
        return new GpuResolution.Placed(placement, eligibleNodes);
    }

    private static List<Offer> narrow(List<Offer> offers, Predicate<Offer> keep) {
        return offers.stream().filter(keep).toList();
    }

    /** The GPU kinds a node advertises, read from its allocatable resources and labels. */
    static List<Offer> offers(NodeView node, Optional<DevicePluginConfig> config) {
        List<Offer> offers = new ArrayList<>();
        String sharingLabel = node.label(SHARING_STRATEGY_LABEL);
        long replicas = number(node.label(REPLICAS_LABEL)).orElse(1L);
        boolean labelShared = "time-slicing".equals(sharingLabel) || "mps".equals(sharingLabel) || replicas > 1;
        String productLabel = node.label(PRODUCT_LABEL);
        for (Map.Entry<String, Long> e : node.allocatable().entrySet()) {
            String advertised = e.getKey();
            if (e.getValue() <= 0) {
                continue;
            }
            String base = advertised;
            boolean renamed = false;
            if (config.isPresent()) {
                for (var r : config.get().shared().values()) {
                    if (r.advertisedAs().equals(advertised) && !r.advertisedAs().equals(r.name())) {
                        base = r.name();
                        renamed = true;
                    }
                }
            }
            if (!renamed && advertised.endsWith(SHARED_SUFFIX)) {
                base = advertised.substring(0, advertised.length() - SHARED_SUFFIX.length());
                renamed = true;
            }
            String profile;
            if (base.equals(GPU)) {
                profile = null;
            } else if (base.startsWith(MIG_PREFIX)) {
                profile = base.substring(MIG_PREFIX.length());
            } else {
                continue;
            }
            String product = productLabel;
            boolean sharedProduct = false;
            if (product != null && product.endsWith(SHARED_PRODUCT_SUFFIX)) {
                product = product.substring(0, product.length() - SHARED_PRODUCT_SUFFIX.length());
                sharedProduct = true;
            }
            Long memory;
            if (profile == null) {
                if (product != null && product.contains(MIG_PRODUCT_INFIX)) {
                    // MIG single strategy: every GPU of the node is a slice of this profile, advertised as nvidia.com/gpu.
                    int at = product.indexOf(MIG_PRODUCT_INFIX);
                    profile = product.substring(at + MIG_PRODUCT_INFIX.length());
                    product = product.substring(0, at);
                }
                memory = number(node.label(MEMORY_LABEL)).orElse(null);
            } else {
                memory = number(node.label(MIG_PREFIX + profile + ".memory")).orElse(null);
            }
            // A node that advertises the original name of a resource its config renames does not run that config.
            boolean configShared = config.map(c -> c.shared().values().stream()
                    .anyMatch(r -> r.advertisedAs().equals(advertised))).orElse(false);
            boolean shared = renamed || configShared || labelShared || (profile == null || !advertised.startsWith(MIG_PREFIX))
                    && sharedProduct;
            boolean failGreaterThanOne = shared && config.map(DevicePluginConfig::failRequestsGreaterThanOne)
                    .orElse("mps".equals(sharingLabel));
            offers.add(new Offer(node, advertised, profile, product, productLabel, memory, shared, failGreaterThanOne,
                    e.getValue()));
        }
        return offers;
    }

    private static boolean migEnabled(Optional<ClusterPolicyView> policy, Optional<SharingConfig> sharing,
            List<NodeView> nodes, List<Offer> offers) {
        Predicate<String> runsMig = s -> "single".equals(s) || "mixed".equals(s);
        return policy.map(ClusterPolicyView::runsMig).orElse(false)
                || offers.stream().anyMatch(o -> o.profile() != null)
                || nodes.stream().anyMatch(n -> runsMig.test(n.label(MIG_STRATEGY_LABEL)))
                || sharing.map(s -> s.configs().values().stream().anyMatch(c -> runsMig.test(c.migStrategy()))).orElse(false);
    }

    /** The resource name the platform's configuration implies, for messages when no node offers it. */
    static String expectedResource(GpuSpec spec, Optional<ClusterPolicyView> policy, Optional<SharingConfig> sharing) {
        String strategy = sharing.flatMap(SharingConfig::defaultConfig).map(DevicePluginConfig::migStrategy)
                .orElse(policy.map(ClusterPolicyView::migStrategy).orElse("mixed"));
        String base = spec.mig == null || "single".equals(strategy) ? GPU : MIG_PREFIX + spec.mig;
        boolean exclusive = spec.sharing == null || spec.sharing == GpuSpec.Sharing.EXCLUSIVE;
        if (!exclusive) {
            var shared = sharing.flatMap(SharingConfig::defaultConfig).map(c -> c.shared().get(base));
            if (shared.isPresent()) {
                return shared.get().advertisedAs();
            }
        }
        return base;
    }

    private static Optional<Long> number(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String summary(List<Offer> offers) {
        return offers.stream().map(Offer::describe).limit(8).collect(Collectors.joining("; ", "[", "]"))
                + (offers.size() > 8 ? " and " + (offers.size() - 8) + " more" : "");
    }

    private static String nodeNames(List<Offer> offers) {
        List<String> names = offers.stream().map(o -> o.node().name()).distinct().sorted().toList();
        return names.size() <= 5 ? String.join(", ", names) : String.join(", ", names.subList(0, 5)) + " and "
                + (names.size() - 5) + " more";
    }
}
