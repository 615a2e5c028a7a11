package io.robustml.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@WithControlPlane
class LocalControlPlaneTest {

    @Test
    void servesThePinnedKubernetesVersion(KubernetesClient client) {
        var version = client.getKubernetesVersion();
        assertThat(version.getGitVersion()).isEqualTo("v1.35.4");
        assertThat(version.getMajor()).isEqualTo("1");
        assertThat(version.getMinor()).isEqualTo("35");
    }

    @Test
    void hasGpuNodesWithFeatureDiscoveryLabelsAndTaintAndOneCpuNode(KubernetesClient client) {
        List<Node> nodes = client.nodes().list().getItems();
        List<Node> gpuNodes = nodes.stream()
                .filter(n -> n.getStatus().getAllocatable().containsKey("nvidia.com/gpu")).toList();
        assertThat(gpuNodes).hasSizeGreaterThanOrEqualTo(2).allSatisfy(n -> {
            assertThat(n.getMetadata().getLabels())
                    .containsKeys("nvidia.com/gpu.product", "nvidia.com/gpu.count", "nvidia.com/mig.strategy");
            assertThat(n.getSpec().getTaints()).anySatisfy(t -> {
                assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
                assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
        });
        assertThat(nodes).anySatisfy(n -> assertThat(n.getStatus().getAllocatable()).doesNotContainKey("nvidia.com/gpu"));
        assertThat(nodes).allSatisfy(n -> assertThat(n.getStatus().getConditions())
                .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True")));
    }

    @Test
    void schedulesATolerantGpuPodOntoAGpuNodeAndRefusesOneWithoutTheToleration(KubernetesClient client,
            TestNamespace ns) {
        Pod tolerant = client.pods().inNamespace(ns.name()).resource(gpuPod("tolerant", true)).create();
        Pod intolerant = client.pods().inNamespace(ns.name()).resource(gpuPod("intolerant", false)).create();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Pod p = client.pods().inNamespace(ns.name()).withName(tolerant.getMetadata().getName()).get();
            assertThat(p.getSpec().getNodeName()).startsWith("gpu-");
            assertThat(p.getStatus().getPhase()).isEqualTo("Running");
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Event> events = client.v1().events().inNamespace(ns.name())
                    .withField("involvedObject.name", intolerant.getMetadata().getName()).list().getItems();
            assertThat(events).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("FailedScheduling");
                assertThat(e.getMessage()).contains("untolerated taint");
            });
        });
        Pod stillPending = client.pods().inNamespace(ns.name()).withName(intolerant.getMetadata().getName()).get();
        assertThat(stillPending.getSpec().getNodeName()).isNull();
        assertThat(stillPending.getStatus().getPhase()).isEqualTo("Pending");
    }

    @Test
    void runsTheReplicasOfADeploymentOnFakeNodes(KubernetesClient client, TestNamespace ns) {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("registry.invalid/web:1").endContainer()
                .endSpec().endTemplate().endSpec().build();
        client.apps().deployments().inNamespace(ns.name()).resource(deployment).create();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace(ns.name()).withName("web").get();
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(2);
        });
        assertThat(client.pods().inNamespace(ns.name()).withLabel("app", "web").list().getItems())
                .hasSize(2).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
    }

    @Test
    void appliesServerSideWithFieldManagers(KubernetesClient client, TestNamespace ns) {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("ssa").withNamespace(ns.name()).endMetadata()
                .withData(Map.of("k", "v1")).build();
        client.configMaps().resource(cm).fieldManager("robustml-test").forceConflicts().serverSideApply();

        ConfigMap stored = client.configMaps().inNamespace(ns.name()).withName("ssa").get();
        assertThat(stored.getMetadata().getManagedFields())
                .anySatisfy(f -> {
                    assertThat(f.getManager()).isEqualTo("robustml-test");
                    assertThat(f.getOperation()).isEqualTo("Apply");
                });
    }

    @Test
    void enforcesRbacForServiceAccounts(KubernetesClient client, TestNamespace ns) {
        // A ServiceAccount with no RoleBinding must be forbidden to list anything: RBAC is on.
        var config = new ConfigBuilder(client.getConfiguration())
                .withImpersonateUsername("system:serviceaccount:" + ns.name() + ":default").build();
        try (KubernetesClient impersonated = new KubernetesClientBuilder().withConfig(config).build()) {
            assertThatThrownBy(() -> impersonated.configMaps().inNamespace(ns.name()).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    private static Pod gpuPod(String name, boolean tolerateGpuTaint) {
        var builder = new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("model").withImage("registry.invalid/model:1")
                .withNewResources()
                .addToRequests("nvidia.com/gpu", new Quantity("1"))
                .addToLimits("nvidia.com/gpu", new Quantity("1"))
                .endResources().endContainer();
        if (tolerateGpuTaint) {
            builder.addNewToleration().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule")
                    .endToleration();
        }
        return builder.endSpec().build();
    }
}
