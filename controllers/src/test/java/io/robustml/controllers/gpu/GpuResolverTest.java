package io.robustml.controllers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.model.GpuSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The resolution rules of docs/gpus.md over a table of cluster shapes. */
class GpuResolverTest {
    static final String A100 = "NVIDIA-A100-SXM4-40GB";

    /** A cluster: the ClusterPolicy, the device plugin's config and the nodes. */
    record Shape(String name, Optional<ClusterPolicyView> policy, Optional<SharingConfig> sharing, List<NodeView> nodes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static NodeView node(String name, String product, Long memory, Map<String, Long> allocatable, String... labels) {
        Map<String, String> l = new HashMap<>();
        l.put("kubernetes.io/hostname", name);
        if (product != null) {
            l.put(GpuResolver.PRODUCT_LABEL, product);
        }
        if (memory != null) {
            l.put(GpuResolver.MEMORY_LABEL, memory.toString());
        }
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return new NodeView(name, l, allocatable, true);
    }

    static ClusterPolicyView policy(String strategy, String configMap, String defaultKey) {
        return new ClusterPolicyView("cluster-policy", strategy, configMap, defaultKey, "gpu-operator");
    }

    static final NodeView WHOLE_A100 = node("a100", A100, 40960L, Map.of("nvidia.com/gpu", 2L), GpuResolver.MIG_STRATEGY_LABEL, "none");
    static final NodeView WHOLE_L4 = node("l4", "NVIDIA-L4", 23034L, Map.of("nvidia.com/gpu", 1L));
    static final NodeView CPU = node("cpu", null, null, Map.of());

    static final Shape PLAIN = new Shape("whole GPUs, no ClusterPolicy", Optional.empty(), Optional.empty(),
            List.of(WHOLE_A100, WHOLE_L4, CPU));
    static final Shape MIXED = new Shape("MIG mixed", Optional.of(policy("mixed", null, null)), Optional.empty(), List.of(
            node("mig-mixed", A100, 40960L, Map.of("nvidia.com/mig-1g.5gb", 7L, "nvidia.com/mig-3g.20gb", 1L),
                    GpuResolver.MIG_STRATEGY_LABEL, "mixed", "nvidia.com/mig-1g.5gb.memory", "4864",
                    "nvidia.com/mig-1g.5gb.count", "7"),
            WHOLE_L4, CPU));
    static final Shape SINGLE = new Shape("MIG single", Optional.of(policy("single", null, null)), Optional.empty(), List.of(
            node("mig-single", A100 + "-MIG-1g.5gb", 4864L, Map.of("nvidia.com/gpu", 7L),
                    GpuResolver.MIG_STRATEGY_LABEL, "single", "nvidia.com/gpu.count", "7"),
            WHOLE_L4));
    static final String RENAMED_CONFIG = """
            version: v1
            sharing:
              timeSlicing:
                renameByDefault: true
                resources:
                - name: nvidia.com/gpu
                  replicas: 4
            """;
    static final Shape TIME_SLICED_RENAMED = new Shape("time-slicing, renameByDefault",
            Optional.of(policy("none", "time-slicing-config", "any")),
            Optional.of(SharingConfig.of(Map.of("any", RENAMED_CONFIG), "any")), List.of(
                    node("ts", "NVIDIA-A10G-SHARED", 23028L, Map.of("nvidia.com/gpu.shared", 4L),
                            GpuResolver.SHARING_STRATEGY_LABEL, "time-slicing", GpuResolver.REPLICAS_LABEL, "4"),
                    WHOLE_A100));
    static final String UNRENAMED_CONFIG = """
            version: v1
            sharing:
              timeSlicing:
                failRequestsGreaterThanOne: true
                resources:
                - name: nvidia.com/gpu
                  replicas: 4
            """;
    static final Shape TIME_SLICED = new Shape("time-slicing, not renamed, failRequestsGreaterThanOne",
            Optional.of(policy("none", "time-slicing-config", null)),
            Optional.of(SharingConfig.of(Map.of("sliced", UNRENAMED_CONFIG, "plain", "version: v1\n"), null)), List.of(
                    node("ts", "NVIDIA-A10G-SHARED", 23028L, Map.of("nvidia.com/gpu", 4L),
                            SharingConfig.NODE_CONFIG_LABEL, "sliced"),
                    node("a100", A100, 40960L, Map.of("nvidia.com/gpu", 2L), SharingConfig.NODE_CONFIG_LABEL, "plain")));
    static final Shape MPS_LABELS_ONLY = new Shape("MPS, labels only", Optional.empty(), Optional.empty(), List.of(
            node("mps", "NVIDIA-H100-80GB-HBM3-SHARED", 81559L, Map.of("nvidia.com/gpu", 8L),
                    GpuResolver.SHARING_STRATEGY_LABEL, "mps", GpuResolver.REPLICAS_LABEL, "4")));
    static final Shape SAME_LABELS = new Shape("sharing known only from the config, same product label",
            Optional.of(policy("none", "cfg", "plain")),
            Optional.of(SharingConfig.of(Map.of("sliced", UNRENAMED_CONFIG, "plain", "version: v1\n"), "plain")), List.of(
                    node("l4-a", "NVIDIA-L4", 23034L, Map.of("nvidia.com/gpu", 1L)),
                    node("l4-b", "NVIDIA-L4", 23034L, Map.of("nvidia.com/gpu", 4L), SharingConfig.NODE_CONFIG_LABEL, "sliced")));
    static final Shape NO_GPUS = new Shape("no GPU nodes", Optional.empty(), Optional.empty(), List.of(CPU));
    static final Shape NO_MIG_POLICY = new Shape("ClusterPolicy without MIG", Optional.of(policy("none", null, null)),
            Optional.empty(), List.of(WHOLE_A100));

    static GpuSpec gpu(int count, String product, String mig, Integer memory, GpuSpec.Sharing sharing) {
        GpuSpec g = new GpuSpec();
        g.count = count;
        g.product = product;
        g.mig = mig;
        g.minMemoryMiB = memory;
        g.sharing = sharing;
        return g;
    }

    static final GpuSpec.Sharing ALLOWED = GpuSpec.Sharing.ALLOWED;

    /** shape, request, then either "resource | eligible nodes | affinity" or "! part of the reason". */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(PLAIN, gpu(1, null, null, null, null), "nvidia.com/gpu | [a100, l4] | -"),
                Arguments.of(PLAIN, gpu(1, A100, null, null, null), "nvidia.com/gpu | [a100] | nvidia.com/gpu.product In [" + A100 + "]"),
                Arguments.of(PLAIN, gpu(2, null, null, null, null), "nvidia.com/gpu | [a100] | -"),
                Arguments.of(PLAIN, gpu(4, null, null, null, null), "! no eligible node has 4 nvidia.com/gpu allocatable (most: 2 on a100)"),
                Arguments.of(PLAIN, gpu(1, null, null, 30000, null), "nvidia.com/gpu | [a100] | nvidia.com/gpu.memory Gt [29999]"),
                Arguments.of(PLAIN, gpu(1, null, null, 50000, null), "! no GPU has at least 50000 MiB (the largest has 40960 MiB"),
                Arguments.of(PLAIN, gpu(1, "NVIDIA-H100-80GB-HBM3", null, null, null),
                        "! no node has GPU product NVIDIA-H100-80GB-HBM3; found: [" + A100 + ", NVIDIA-L4]"),
                Arguments.of(PLAIN, gpu(1, null, "1g.5gb", null, null), "! the cluster runs no MIG (no ClusterPolicy, and no node"),
                Arguments.of(NO_MIG_POLICY, gpu(1, null, "1g.5gb", null, null),
                        "! the cluster runs no MIG (ClusterPolicy cluster-policy has mig.strategy none)"),
                Arguments.of(NO_GPUS, gpu(1, null, null, null, null), "! no node advertises NVIDIA GPUs (nvidia.com/gpu)"),

                Arguments.of(MIXED, gpu(1, null, "1g.5gb", null, null), "nvidia.com/mig-1g.5gb | [mig-mixed] | -"),
                Arguments.of(MIXED, gpu(2, A100, "1g.5gb", null, null),
                        "nvidia.com/mig-1g.5gb | [mig-mixed] | nvidia.com/gpu.product In [" + A100 + "]"),
                Arguments.of(MIXED, gpu(1, null, "2g.10gb", null, null),
                        "! no node offers MIG profile 2g.10gb (nvidia.com/mig-2g.10gb); offered: [l4: 1 nvidia.com/gpu"),
                Arguments.of(MIXED, gpu(1, null, null, null, null), "nvidia.com/gpu | [l4] | -"),
                Arguments.of(MIXED, gpu(2, null, null, null, null), "! no eligible node has 2 nvidia.com/gpu allocatable (most: 1 on l4)"),

                Arguments.of(SINGLE, gpu(1, null, "1g.5gb", null, null),
                        "nvidia.com/gpu | [mig-single] | nvidia.com/gpu.product In [" + A100 + "-MIG-1g.5gb]"),
                Arguments.of(SINGLE, gpu(1, A100, "1g.5gb", null, null),
                        "nvidia.com/gpu | [mig-single] | nvidia.com/gpu.product In [" + A100 + "-MIG-1g.5gb]"),
                Arguments.of(SINGLE, gpu(1, null, null, null, null), "nvidia.com/gpu | [l4] | nvidia.com/gpu.product In [NVIDIA-L4]"),
                Arguments.of(SINGLE, gpu(1, null, null, 4000, null),
                        "nvidia.com/gpu | [l4] | nvidia.com/gpu.product In [NVIDIA-L4]; nvidia.com/gpu.memory Gt [3999]"),
                Arguments.of(SINGLE, gpu(1, null, "3g.20gb", null, null), "! no node offers MIG profile 3g.20gb (nvidia.com/gpu)"),

                Arguments.of(TIME_SLICED_RENAMED, gpu(1, null, null, null, null), "nvidia.com/gpu | [a100] | -"),
                Arguments.of(TIME_SLICED_RENAMED, gpu(1, null, null, null, ALLOWED), "nvidia.com/gpu | [a100] | -"),
                Arguments.of(TIME_SLICED_RENAMED, gpu(1, "NVIDIA-A10G", null, null, ALLOWED),
                        "nvidia.com/gpu.shared | [ts] | nvidia.com/gpu.product In [NVIDIA-A10G-SHARED]"),
                Arguments.of(TIME_SLICED_RENAMED, gpu(3, "NVIDIA-A10G", null, null, ALLOWED),
                        "nvidia.com/gpu.shared | [ts] | nvidia.com/gpu.product In [NVIDIA-A10G-SHARED]"),
                Arguments.of(TIME_SLICED_RENAMED, gpu(1, "NVIDIA-A10G", null, null, null),
                        "! only shared GPUs match (time-slicing or MPS: nvidia.com/gpu.shared on ts); set gpu.sharing: allowed"),

                Arguments.of(TIME_SLICED, gpu(1, null, null, null, null),
                        "nvidia.com/gpu | [a100] | nvidia.com/gpu.product In [" + A100 + "]"),
                Arguments.of(TIME_SLICED, gpu(1, null, null, null, ALLOWED), "nvidia.com/gpu | [a100, ts] | -"),
                Arguments.of(TIME_SLICED, gpu(2, null, null, null, ALLOWED),
                        "nvidia.com/gpu | [a100] | nvidia.com/gpu.product In [" + A100 + "]"),
                Arguments.of(TIME_SLICED, gpu(2, "NVIDIA-A10G", null, null, ALLOWED),
                        "! the matching GPUs are shared and the device plugin refuses requests for more than one"),

                Arguments.of(MPS_LABELS_ONLY, gpu(1, null, null, null, ALLOWED), "nvidia.com/gpu | [mps] | -"),
                Arguments.of(MPS_LABELS_ONLY, gpu(2, null, null, null, ALLOWED), "! refuses requests for more than one"),
                Arguments.of(MPS_LABELS_ONLY, gpu(1, null, null, null, null), "! only shared GPUs match"),

                Arguments.of(SAME_LABELS, gpu(1, null, null, null, null), "nvidia.com/gpu | [l4-a] | metadata.name In [l4-a]"),
                Arguments.of(SAME_LABELS, gpu(1, null, null, null, ALLOWED), "nvidia.com/gpu | [l4-a, l4-b] | -"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("cases")
    void resolvesEachClusterShape(Shape shape, GpuSpec spec, String expected) {
        GpuResolution r = GpuResolver.resolve(spec, shape.policy(), shape.sharing(), shape.nodes(), null);
        if (expected.startsWith("! ")) {
            assertThat(r).isInstanceOfSatisfying(GpuResolution.Unsatisfiable.class, u -> {
                assertThat(u.message()).contains(expected.substring(2));
                assertThat(u.reason()).isEqualTo("GPUUnavailable");
            });
            return;
        }
        assertThat(r).isInstanceOf(GpuResolution.Placed.class);
        GpuResolution.Placed placed = (GpuResolution.Placed) r;
        assertThat(placed.placement().resourceName() + " | " + placed.eligibleNodes() + " | " + affinity(placed))
                .isEqualTo(expected);
        assertThat(placed.placement().count()).isEqualTo(spec.count);
        assertThat(placed.placement().toleration().getKey()).isEqualTo("nvidia.com/gpu");
    }

    static String affinity(GpuResolution.Placed placed) {
        if (placed.placement().affinity().isEmpty()) {
            return "-";
        }
        var terms = placed.placement().affinity().get().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        assertThat(terms).hasSize(1);
        List<String> parts = new ArrayList<>();
        terms.get(0).getMatchExpressions().forEach(e -> parts.add(e.getKey() + " " + e.getOperator() + " "
                + (e.getKey().equals(GpuResolver.PRODUCT_LABEL) || e.getKey().equals(GpuResolver.MEMORY_LABEL)
                        ? e.getValues() : e.getValues())));
        terms.get(0).getMatchFields().forEach(e -> parts.add(e.getKey() + " " + e.getOperator() + " " + e.getValues()));
        return String.join("; ", parts);
    }

    @Test
    void cpuOnlyWithoutACount() {
        assertThat(GpuResolver.resolve(null, Optional.empty(), Optional.empty(), List.of(), null))
                .isInstanceOf(GpuResolution.CpuOnly.class);
        assertThat(GpuResolver.resolve(gpu(0, null, null, null, null), Optional.empty(), Optional.empty(), List.of(), null))
                .isInstanceOf(GpuResolution.CpuOnly.class);
    }

    @Test
    void cordonedNodesAndTheUsersNodeSelectorNarrowTheChoice() {
        List<NodeView> nodes = List.of(new NodeView("a100", WHOLE_A100.labels(), WHOLE_A100.allocatable(), false), WHOLE_L4);
        var placed = (GpuResolution.Placed) GpuResolver.resolve(gpu(1, null, null, null, null), Optional.empty(),
                Optional.empty(), nodes, null);
        assertThat(placed.eligibleNodes()).containsExactly("l4");
        var none = GpuResolver.resolve(gpu(1, null, null, null, null), Optional.empty(), Optional.empty(),
                PLAIN.nodes(), Map.of("pool", "inference"));
        assertThat(none).isInstanceOfSatisfying(GpuResolution.Unsatisfiable.class, u -> assertThat(u.message())
                .contains("among the nodes matching nodeSelector {pool=inference}"));
    }

    @Test
    void runtimeClassIsPassedThrough() {
        GpuSpec spec = gpu(1, null, null, null, null);
        spec.runtimeClassName = "nvidia";
        var placed = (GpuResolution.Placed) GpuResolver.resolve(spec, Optional.empty(), Optional.empty(), PLAIN.nodes(), null);
        assertThat(placed.placement().runtimeClassName()).contains("nvidia");
    }

    @Test
    void readsTheClusterPolicyFieldsItNeeds() {
        GenericKubernetesResource cp = Serialization.unmarshal("""
                apiVersion: nvidia.com/v1
                kind: ClusterPolicy
                metadata: {name: cluster-policy}
                spec:
                  mig: {strategy: mixed}
                  devicePlugin: {config: {name: time-slicing-config, default: any}}
                status: {namespace: nvidia-gpu, state: ready}
                """, GenericKubernetesResource.class);
        assertThat(ClusterPolicyView.of(cp)).isEqualTo(new ClusterPolicyView("cluster-policy", "mixed",
                "time-slicing-config", "any", "nvidia-gpu"));
        GenericKubernetesResource bare = Serialization.unmarshal("""
                apiVersion: nvidia.com/v1
                kind: ClusterPolicy
                metadata: {name: cp}
                spec: {}
                """, GenericKubernetesResource.class);
        ClusterPolicyView view = ClusterPolicyView.of(bare);
        assertThat(view.migStrategy()).isEqualTo("none");
        assertThat(view.configNamespace()).isEqualTo("gpu-operator");
    }

    @Test
    void parsesTheDevicePluginSharingConfig() {
        SharingConfig config = SharingConfig.of(Map.of("a", RENAMED_CONFIG, "mps", """
                version: v1
                flags: {migStrategy: mixed}
                sharing:
                  mps:
                    resources:
                    - {name: nvidia.com/mig-1g.5gb, replicas: 2, rename: mig-small}
                """, "broken", "{not: [yaml"), "a");
        assertThat(config.configs()).containsOnlyKeys("a", "mps");
        var renamed = config.configs().get("a");
        assertThat(renamed.strategy()).isEqualTo("time-slicing");
        assertThat(renamed.advertisedShared()).containsExactly("nvidia.com/gpu.shared");
        var mps = config.configs().get("mps");
        assertThat(mps.migStrategy()).isEqualTo("mixed");
        assertThat(mps.failRequestsGreaterThanOne()).as("MPS never hands out more than one replica").isTrue();
        assertThat(mps.advertisedShared()).containsExactly("mig-small");
        assertThat(config.forNode(node("x", null, null, Map.of(), SharingConfig.NODE_CONFIG_LABEL, "mps"))).contains(mps);
        assertThat(config.forNode(node("y", null, null, Map.of()))).contains(renamed);
    }
}
