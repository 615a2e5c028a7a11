package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.status.Conditions;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.GpuSpec;
import io.robustml.crds.model.RolloutSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GPU platform awareness on the real API server, scheduler and kwok: a ClusterPolicy (our own minimal
 * CRD of nvidia.com/v1 ClusterPolicy) and kwok nodes shaped like the GPU Operator's for each cluster
 * shape; the pods must request the right resource and be scheduled onto the right nodes. Nodes and
 * ClusterPolicies are created per test with unique names and deleted after it.
 */
@WithControlPlane(podSecurity = "restricted")
class GpuPlatformClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String A100 = "NVIDIA-A100-SXM4-40GB";
    private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 16);
    private final List<String> nodes = new ArrayList<>();
    private final List<String> policies = new ArrayList<>();
    private final List<io.fabric8.kubernetes.api.model.HasMetadata> clusterObjects = new ArrayList<>();
    private Operator operator;
    private KubernetesClient client;

    @BeforeAll
    static void installClusterPolicyCrd(KubernetesClient client) {
        CustomResourceDefinitions.applyFromClasspath(client, "nvidia-clusterpolicy-crd.yaml");
    }

    /** The cluster is shared: leave it without the NVIDIA CRD, as other tests expect (no ClusterPolicy watch). */
    @org.junit.jupiter.api.AfterAll
    static void removeClusterPolicyCrd(KubernetesClient client) {
        client.apiextensions().v1().customResourceDefinitions().withName("clusterpolicies.nvidia.com").delete();
        await().atMost(TIMEOUT).until(() -> client.apiextensions().v1().customResourceDefinitions()
                .withName("clusterpolicies.nvidia.com").get() == null);
    }

    @BeforeEach
    void startOperator(KubernetesClient client, TestNamespace ns) {
        this.client = client;
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new RobustModelReconciler(io.robustml.controllers.dependent.ServingImages.tagged("robustml", "test")), c -> c.settingNamespace(ns.name()));
        operator.start();
    }

    @AfterEach
    void cleanUp() {
        operator.stop();
        for (String node : nodes) {
            client.nodes().withName(node).delete();
        }
        for (var object : clusterObjects) {
            client.resource(object).delete();
        }
        for (String policy : policies) {
            client.genericKubernetesResources("nvidia.com/v1", "ClusterPolicy").withName(policy).delete();
        }
    }

    private void clusterPolicy(String yaml) {
        GenericKubernetesResource policy = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        policy.getMetadata().setName(policy.getMetadata().getName() + "-" + suffix);
        client.resource(policy).create();
        policies.add(policy.getMetadata().getName());
    }

    /** A kwok node with GPU Feature Discovery labels, the nvidia.com/gpu taint and the given GPU resources. */
    private String gpuNode(String prefix, Map<String, String> gfd, Map<String, String> gpus) {
        String name = prefix + "-" + suffix;
        Map<String, String> labels = new HashMap<>(Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux",
                "kubernetes.io/arch", "amd64", "type", "kwok", "nvidia.com/gpu.present", "true"));
        labels.putAll(gfd);
        Map<String, Quantity> resources = new HashMap<>(Map.of("cpu", new Quantity("32"), "memory", new Quantity("256Gi"),
                "pods", new Quantity("110")));
        gpus.forEach((k, v) -> resources.put(k, new Quantity(v)));
        Node node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
                .addToAnnotations("kwok.x-k8s.io/node", "fake").addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .endMetadata()
                .withNewSpec().addNewTaint().withKey("nvidia.com/gpu").withValue("present").withEffect("NoSchedule")
                .endTaint().endSpec()
                .withNewStatus().withCapacity(resources).withAllocatable(resources).withNewNodeInfo()
                .withArchitecture("amd64").withOperatingSystem("linux").withKubeletVersion("fake").endNodeInfo().endStatus()
                .build();
        client.nodes().resource(node).create();
        nodes.add(name);
        await().atMost(TIMEOUT).until(() -> {
            Node n = client.nodes().withName(name).get();
            return n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        return name;
    }

    private static RobustModel model(KubernetesClient client, TestNamespace ns, GpuSpec gpu) {
        RobustModel model = client.resources(RobustModel.class)
                .load(GpuPlatformClusterTest.class.getResourceAsStream("/robustmodel-gpu.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        model.getSpec().serving.gpu = gpu;
        return model;
    }

    private static GpuSpec gpu(int count, String product, String mig, GpuSpec.Sharing sharing) {
        GpuSpec g = new GpuSpec();
        g.count = count;
        g.product = product;
        g.mig = mig;
        g.sharing = sharing;
        return g;
    }

    private List<Pod> servingPods(TestNamespace ns) {
        return client.pods().inNamespace(ns.name()).withLabel(Labels.MODEL, "fashion-gpu")
                .withLabel(Labels.COMPONENT, "serving").list().getItems();
    }

    private static Map<String, Quantity> gpuLimits(Pod p) {
        return p.getSpec().getContainers().stream().filter(c -> ServingDeployment.MODEL_SERVER_CONTAINER.equals(c.getName()))
                .findFirst().orElseThrow().getResources().getLimits();
    }

    private void assertScheduled(TestNamespace ns, String resource, String node) {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(servingPods(ns)).hasSize(2).allSatisfy(p -> {
            assertThat(gpuLimits(p)).containsEntry(resource, new Quantity("1"));
            assertThat(p.getSpec().getNodeName()).isEqualTo(node);
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
        }));
        System.out.println("[gpu] " + ns.name() + ": 2 pods request " + resource + " and run on " + node);
    }

    private void assertUnavailable(TestNamespace ns, String message) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-gpu").get();
            assertThat(m.getStatus().phase).isEqualTo("Degraded");
            assertThat(Conditions.find(m.getStatus().conditions, Conditions.DEGRADED)).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("GPUUnavailable");
                assertThat(c.getMessage()).contains(message);
            });
            assertThat(client.v1().events().inNamespace(ns.name()).withField("involvedObject.name", "fashion-gpu")
                    .list().getItems()).anySatisfy(e -> {
                        assertThat(e.getReason()).isEqualTo("GPUUnavailable");
                        assertThat(e.getType()).isEqualTo("Warning");
                    });
        });
        // Not a Pending pod: the revision gets no pods at all.
        assertThat(Analyses.serving(client, ns.name(), "fashion-gpu")).isEmpty();
        assertThat(servingPods(ns)).isEmpty();
    }

    @Test
    void mixedMigRequestsTheProfileResourceAndSaysWhenNoNodeOffersAProfile(TestNamespace ns) {
        clusterPolicy("""
                apiVersion: nvidia.com/v1
                kind: ClusterPolicy
                metadata: {name: mixed}
                spec: {mig: {strategy: mixed}}
                """);
        String node = gpuNode("mig-mixed", Map.of("nvidia.com/gpu.product", A100, "nvidia.com/mig.strategy", "mixed",
                "nvidia.com/mig-1g.5gb.count", "7", "nvidia.com/mig-1g.5gb.memory", "4864"),
                Map.of("nvidia.com/mig-1g.5gb", "7"));
        client.resource(model(client, ns, gpu(1, null, "1g.5gb", null))).create();
        assertScheduled(ns, "nvidia.com/mig-1g.5gb", node);

        client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-gpu").delete();
        await().atMost(TIMEOUT).until(() -> servingPods(ns).isEmpty() && Analyses.serving(client, ns.name(), "fashion-gpu").isEmpty()
                && client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-gpu").get() == null);
        client.resource(model(client, ns, gpu(1, null, "3g.20gb", null))).create();
        assertUnavailable(ns, "no node offers MIG profile 3g.20gb (nvidia.com/mig-3g.20gb)");
    }

    @Test
    void singleMigRequestsWholeGpusOnTheNodesLabelledWithTheMigProduct(TestNamespace ns) {
        clusterPolicy("""
                apiVersion: nvidia.com/v1
                kind: ClusterPolicy
                metadata: {name: single}
                spec: {mig: {strategy: single}}
                """);
        String node = gpuNode("mig-single", Map.of("nvidia.com/gpu.product", A100 + "-MIG-1g.5gb",
                "nvidia.com/mig.strategy", "single", "nvidia.com/gpu.count", "7", "nvidia.com/gpu.memory", "4864"),
                Map.of("nvidia.com/gpu", "7"));
        client.resource(model(client, ns, gpu(1, A100, "1g.5gb", null))).create();
        // nvidia.com/gpu is also what the whole A100 node (gpu-a100-0) advertises: the product affinity
        // keeps the pods on the slices.
        assertScheduled(ns, "nvidia.com/gpu", node);
        var affinity = servingPods(ns).get(0).getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0).getMatchExpressions();
        assertThat(affinity).anySatisfy(e -> {
            assertThat(e.getKey()).isEqualTo("nvidia.com/gpu.product");
            assertThat(e.getValues()).containsExactly(A100 + "-MIG-1g.5gb");
        });
    }

    @Test
    void timeSlicingWithRenamingRequestsTheSharedResourceOnlyWhenSharingIsAllowed(TestNamespace ns) {
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("time-slicing-config").withNamespace(ns.name())
                .endMetadata().addToData("any", """
                        version: v1
                        sharing:
                          timeSlicing:
                            renameByDefault: true
                            resources:
                            - name: nvidia.com/gpu
                              replicas: 4
                        """).build()).create();
        clusterPolicy("""
                apiVersion: nvidia.com/v1
                kind: ClusterPolicy
                metadata: {name: time-slicing}
                spec: {mig: {strategy: none}, devicePlugin: {config: {name: time-slicing-config, default: any}}}
                status: {namespace: %s, state: ready}
                """.formatted(ns.name()));
        String node = gpuNode("ts", Map.of("nvidia.com/gpu.product", "NVIDIA-A10G-SHARED", "nvidia.com/gpu.memory", "23028",
                "nvidia.com/gpu.sharing-strategy", "time-slicing", "nvidia.com/gpu.replicas", "4", "nvidia.com/gpu.count", "1"),
                Map.of("nvidia.com/gpu.shared", "4"));

        client.resource(model(client, ns, gpu(1, "NVIDIA-A10G", null, null))).create();
        assertUnavailable(ns, "only shared GPUs match (time-slicing or MPS: nvidia.com/gpu.shared on " + node
                + "); set gpu.sharing: allowed");

        Analyses.edit(client, ns.name(), "fashion-gpu", m -> {
            m.getSpec().serving.gpu.sharing = GpuSpec.Sharing.ALLOWED;
            return m;
        });
        assertScheduled(ns, "nvidia.com/gpu.shared", node);
    }

    @Test
    void aCanaryThatDoesNotFitWaitsWithTheNumbersAndReuseStableBorrowsAndGivesBack(TestNamespace ns) {
        String node = gpuNode("cap", Map.of("nvidia.com/gpu.product", "NVIDIA-L40S-" + suffix, "nvidia.com/gpu.memory", "46068"),
                Map.of("nvidia.com/gpu", "2"));
        RobustModel model = model(client, ns, gpu(1, "NVIDIA-L40S-" + suffix, null, null));
        client.resource(model).create();
        var models = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-gpu");
        Analyses.finish(client, Analyses.awaitRun(client, ns.name(), "fashion-gpu", TIMEOUT), "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> "Ready".equals(models.get().getStatus().phase));
        String stable = models.get().getStatus().stableRevision;
        assertScheduled(ns, "nvidia.com/gpu", node); // both GPUs of the node are taken

        // A new revision: its canary (1 pod, 1 GPU) does not fit.
        Analyses.edit(client, ns.name(), "fashion-gpu", m -> {
            m.getSpec().serving.resources.getRequests().put("cpu", new Quantity("600m"));
            return m;
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModel m = models.get();
            assertThat(Conditions.find(m.getStatus().conditions, Conditions.DEGRADED)).get().satisfies(c -> {
                assertThat(c.getReason()).isEqualTo("InsufficientGPU");
                assertThat(c.getMessage()).contains("the canary needs 1 pod(s) × 1 nvidia.com/gpu = 1; the eligible "
                        + "nodes have 0 free (" + node + ": 0)");
            });
        });
        assertThat(Analyses.serving(client, ns.name(), "fashion-gpu")).as("no canary Deployment while it waits").hasSize(1);
        System.out.println("[gpu] " + models.get().getStatus().conditions.stream()
                .filter(c -> c.getType().equals("Degraded")).findFirst().orElseThrow().getMessage());

        // reuseStable: one stable replica is lent to the canary; GPU use never exceeds the node's 2.
        Analyses.edit(client, ns.name(), "fashion-gpu", m -> {
            m.getSpec().rollout.canary = new RolloutSpec.CanarySpec();
            m.getSpec().rollout.canary.replicas = 1;
            m.getSpec().rollout.canary.capacityPolicy = RolloutSpec.CapacityPolicy.REUSE_STABLE;
            return m;
        });
        String canary = models.get().getStatus().canaryRevision;
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(boundGpus(ns)).isLessThanOrEqualTo(2);
            RobustModel m = models.get();
            assertThat(m.getStatus().analysis.stableReplicasLent).isEqualTo(1);
            assertThat(Analyses.servingRevision(client, ns.name(), "fashion-gpu", stable).getSpec().getReplicas()).isEqualTo(1);
            assertThat(servingPods(ns)).filteredOn(p -> canary.equals(p.getMetadata().getLabels().get(Labels.REVISION)))
                    .singleElement().satisfies(p -> {
                        assertThat(p.getSpec().getNodeName()).isEqualTo(node);
                        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                    });
        });
        assertThat(boundGpus(ns)).isLessThanOrEqualTo(2);

        // The canary fails its analysis: rolled back, stable gets its replica back.
        Analyses.finish(client, Analyses.awaitRun(client, ns.name(), "fashion-gpu", TIMEOUT), "0.9", "0.9");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(boundGpus(ns)).isLessThanOrEqualTo(2);
            RobustModel m = models.get();
            assertThat(m.getStatus().rejectedRevision).isEqualTo(canary);
            assertThat(Analyses.servingRevision(client, ns.name(), "fashion-gpu", stable).getSpec().getReplicas()).isEqualTo(2);
            assertThat(servingPods(ns)).hasSize(2).allSatisfy(p -> {
                assertThat(p.getMetadata().getLabels().get(Labels.REVISION)).isEqualTo(stable);
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            });
        });
    }

    @Test
    void draPodsClaimADeviceFromTheResourceSlicesAndAreScheduled(TestNamespace ns) {
        String node = gpuNode("dra", Map.of("nvidia.com/gpu.product", A100), Map.of());
        if (client.resources(io.fabric8.kubernetes.api.model.resource.v1.DeviceClass.class).withName("gpu.nvidia.com").get() == null) {
            clusterObjects.add(client.resource(Serialization.unmarshal("""
                    apiVersion: resource.k8s.io/v1
                    kind: DeviceClass
                    metadata: {name: gpu.nvidia.com}
                    spec:
                      selectors:
                      - cel: {expression: "device.driver == 'gpu.nvidia.com'"}
                    """, io.fabric8.kubernetes.api.model.resource.v1.DeviceClass.class)).create());
        }
        // What NVIDIA's DRA driver would publish for the node: two A100s and one smaller GPU.
        clusterObjects.add(client.resource(Serialization.unmarshal("""
                apiVersion: resource.k8s.io/v1
                kind: ResourceSlice
                metadata: {name: %1$s-gpus}
                spec:
                  driver: gpu.nvidia.com
                  nodeName: %1$s
                  pool: {name: %1$s, generation: 1, resourceSliceCount: 1}
                  devices:
                  - name: gpu-0
                    attributes: {productName: {string: NVIDIA A100-SXM4-40GB}}
                    capacity: {memory: {value: 40Gi}}
                  - name: gpu-1
                    attributes: {productName: {string: NVIDIA A100-SXM4-40GB}}
                    capacity: {memory: {value: 40Gi}}
                  - name: gpu-2
                    attributes: {productName: {string: NVIDIA A100-SXM4-40GB}}
                    capacity: {memory: {value: 10Gi}}
                """.formatted(node), io.fabric8.kubernetes.api.model.resource.v1.ResourceSlice.class)).create());

        GpuSpec gpu = gpu(1, A100, null, null);
        gpu.allocation = GpuSpec.Allocation.DRA;
        gpu.minMemoryMiB = 20000;
        RobustModel model = model(client, ns, gpu);
        model.getSpec().serving.replicas = 3; // two devices qualify: the third pod cannot be allocated one
        client.resource(model).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            List<Pod> pods = servingPods(ns);
            assertThat(pods).hasSize(3);
            assertThat(pods).filteredOn(p -> "Running".equals(p.getStatus().getPhase())).hasSize(2)
                    .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(node));
            var claims = client.resources(io.fabric8.kubernetes.api.model.resource.v1.ResourceClaim.class)
                    .inNamespace(ns.name()).list().getItems();
            assertThat(claims).filteredOn(c -> c.getStatus() != null && c.getStatus().getAllocation() != null)
                    .hasSize(2).allSatisfy(c -> assertThat(c.getStatus().getAllocation().getDevices().getResults())
                            .singleElement().satisfies(r -> assertThat(r.getDevice()).isIn("gpu-0", "gpu-1")));
            assertThat(pods).filteredOn(p -> p.getSpec().getNodeName() == null).singleElement()
                    .satisfies(p -> assertThat(p.getStatus().getConditions()).anySatisfy(c ->
                            assertThat(c.getMessage()).contains("cannot allocate all claims")));
        });
        System.out.println("[gpu] " + ns.name() + ": DRA claims allocated gpu-0 and gpu-1 on " + node
                + "; the 10Gi device is never chosen; the third pod waits");
    }

    /** GPUs requested by the model's pods bound to a node, terminating ones included (as the scheduler counts). */
    private long boundGpus(TestNamespace ns) {
        return servingPods(ns).stream().filter(p -> p.getSpec().getNodeName() != null)
                .mapToLong(p -> gpuLimits(p).getOrDefault("nvidia.com/gpu", new Quantity("0")).getNumericalAmount().longValue())
                .sum();
    }
}
