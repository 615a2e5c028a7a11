package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.robustml.controllers.status.Conditions;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler run by JOSDK in-process against the real API server (server-side apply on). */
@WithControlPlane(podSecurity = "restricted")
class RobustModelReconcilerClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private Operator operator;

    @BeforeEach
    void startOperator(KubernetesClient client, TestNamespace ns) {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new RobustModelReconciler(io.robustml.controllers.dependent.ServingImages.tagged("robustml", "test")), c -> c.settingNamespace(ns.name()));
        operator.start();
    }

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    private static RobustModel fixture(KubernetesClient client, TestNamespace ns) {
        RobustModel model = client.resources(RobustModel.class)
                .load(RobustModelReconcilerClusterTest.class.getResourceAsStream("/robustmodel-minimal.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        return model;
    }

    @Test
    void createsAnOwnedServingDeploymentAndReportsReadyOnceItsPodsRun(KubernetesClient client, TestNamespace ns) {
        RobustModel created = client.resource(fixture(client, ns)).create();

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(Analyses.serving(client, ns.name(), "fashion-classifier")).hasSize(1);
            Deployment d = Analyses.serving(client, ns.name(), "fashion-classifier").get(0);
            assertThat(d.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getKind()).isEqualTo("RobustModel");
                assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
                assertThat(o.getController()).isTrue();
            });
            assertThat(d.getMetadata().getManagedFields())
                    .anySatisfy(f -> assertThat(f.getOperation()).isEqualTo("Apply"));
        });
        System.out.println("[reconciler] created Deployment " + ns.name() + "/"
                + Analyses.serving(client, ns.name(), "fashion-classifier").get(0).getMetadata().getName()
                + " owned by RobustModel " + created.getMetadata().getUid());

        // Pods running is not enough: Ready means a revision that passed its analysis serves.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-classifier").get();
            assertThat(m.getStatus().phase).isEqualTo("Progressing");
            assertThat(Conditions.find(m.getStatus().conditions, Conditions.READY)).get()
                    .satisfies(c -> assertThat(c.getReason()).isEqualTo("Analyzing"));
        });
        Analyses.pass(client, ns.name(), "fashion-classifier");

        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-classifier").get();
            assertThat(m.getStatus()).isNotNull();
            assertThat(m.getStatus().observedGeneration).isEqualTo(1L);
            assertThat(m.getStatus().phase).isEqualTo("Ready");
            assertThat(Conditions.find(m.getStatus().conditions, Conditions.READY)).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("Serving");
                assertThat(c.getMessage()).startsWith("2 of 2 serving pods available (revision ");
                assertThat(c.getObservedGeneration()).isEqualTo(1L);
            });
        });
        assertThat(client.pods().inNamespace(ns.name()).withLabel(Labels.MODEL, "fashion-classifier")
                .withLabel(Labels.COMPONENT, "serving").list().getItems())
                .hasSize(2).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
    }

    @Test
    void followsASpecChangeAndReportsTheNewGeneration(KubernetesClient client, TestNamespace ns) {
        client.resource(fixture(client, ns)).create();
        var models = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-classifier");
        Analyses.pass(client, ns.name(), "fashion-classifier");
        await().atMost(TIMEOUT).until(() -> models.get().getStatus() != null
                && "Ready".equals(models.get().getStatus().phase));
        String revision = models.get().getStatus().stableRevision;

        Analyses.edit(client, ns.name(), "fashion-classifier", m -> {
            m.getSpec().serving.replicas = 3;
            return m;
        });

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(Analyses.servingRevision(client, ns.name(), "fashion-classifier", revision)
                    .getSpec().getReplicas()).isEqualTo(3);
            RobustModel m = models.get();
            assertThat(m.getStatus().observedGeneration).isEqualTo(2L);
            assertThat(m.getStatus().stableRevision).as("replicas scale a revision, they do not make one").isEqualTo(revision);
            assertThat(m.getStatus().canaryRevision).isNull();
            assertThat(Conditions.find(m.getStatus().conditions, Conditions.READY)).get()
                    .satisfies(c -> assertThat(c.getMessage()).startsWith("3 of 3 serving pods available"));
        });
    }

    @Test
    void deletingTheModelGarbageCollectsItsDeployment(KubernetesClient client, TestNamespace ns) {
        client.resource(fixture(client, ns)).create();
        await().atMost(TIMEOUT).until(() -> Analyses.serving(client, ns.name(), "fashion-classifier").size() == 1);
        var deployment = client.apps().deployments().inNamespace(ns.name())
                .withName(Analyses.serving(client, ns.name(), "fashion-classifier").get(0).getMetadata().getName());

        client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-classifier").delete();

        // The garbage collector learns about a new CRD's kind on its periodic discovery resync (~30 s),
        // so on a fresh cluster the first collection of a RobustModel's dependents can take that long.
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            assertThat(deployment.get()).isNull();
            assertThat(client.services().inNamespace(ns.name()).withName("fashion-classifier").get()).isNull();
            assertThat(client.configMaps().inNamespace(ns.name()).withName("fashion-classifier-detector").get()).isNull();
        });
    }

    private static RobustModel gpuFixture(KubernetesClient client, TestNamespace ns) {
        client.resource(new io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder().withNewMetadata()
                .withName("nvidia").endMetadata().withHandler("nvidia").build()).serverSideApply();
        RobustModel model = client.resources(RobustModel.class)
                .load(RobustModelReconcilerClusterTest.class.getResourceAsStream("/robustmodel-gpu.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        return model;
    }

    @Test
    void createsTheServiceDetectorConfigServiceAccountAndDisruptionBudget(KubernetesClient client, TestNamespace ns) {
        client.resource(fixture(client, ns)).create();
        // Each object appears on its own dependent's turn: absent (null) ones are awaited, not failed on.
        await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(NullPointerException.class).untilAsserted(() -> {
            var service = client.services().inNamespace(ns.name()).withName("fashion-classifier").get();
            assertThat(service.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("http", "metrics");
            assertThat(client.configMaps().inNamespace(ns.name()).withName("fashion-classifier-detector").get()
                    .getData()).containsKey("detector.json");
            assertThat(client.serviceAccounts().inNamespace(ns.name()).withName("fashion-classifier-serving").get()
                    .getAutomountServiceAccountToken()).isFalse();
            assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns.name()).withName("fashion-classifier")
                    .get().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        });
        // The analysis's own key: made once, random, known to every sidecar by reference (never copied).
        var key = client.secrets().inNamespace(ns.name()).withName("fashion-classifier-tester-key").get();
        String value = new String(java.util.Base64.getDecoder().decode(key.getData().get("apiKey")),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(value).matches("[0-9a-f]{64}");
        assertThat(key.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind())
                .isEqualTo("RobustModel"));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.apps().deployments().inNamespace(ns.name())
                .withLabel(Labels.MODEL, "fashion-classifier").list().getItems()).isNotEmpty());
        var sidecar = client.apps().deployments().inNamespace(ns.name()).withLabel(Labels.MODEL, "fashion-classifier").list()
                .getItems().get(0).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> "sidecar-detector".equals(c.getName())).findFirst().orElseThrow();
        assertThat(sidecar.getEnv()).filteredOn(e -> "ROBUSTML_VERDICT_API_KEYS".equals(e.getName())).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("fashion-classifier-tester-key"));
        Analyses.edit(client, ns.name(), "fashion-classifier", m -> {
            m.getSpec().serving.replicas = 2; // another reconcile: the key stays the same
            return m;
        });
        await().atMost(TIMEOUT).until(() -> client.apps().deployments().inNamespace(ns.name())
                .withLabel(Labels.MODEL, "fashion-classifier").list().getItems().get(0).getSpec().getReplicas() == 2);
        assertThat(client.secrets().inNamespace(ns.name()).withName("fashion-classifier-tester-key").get().getData())
                .isEqualTo(key.getData());
    }

    @Test
    void isolatesTheServingPodsNetworkAndApiAccess(KubernetesClient client, TestNamespace ns) {
        client.resource(fixture(client, ns)).create();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var policy = client.network().v1().networkPolicies().inNamespace(ns.name()).withName("fashion-classifier-serving").get();
            assertThat(policy).isNotNull();
            assertThat(policy.getSpec().getIngress()).flatExtracting(r -> r.getPorts())
                    .extracting(p -> p.getPort().getIntVal()).containsExactly(8080, 9090);
            assertThat(client.rbac().roleBindings().inNamespace(ns.name()).withName("fashion-classifier-serving").get()).isNotNull();
        });
        // The API server's own RBAC decides (SubjectAccessReview): the serving identity may watch its
        // detector ConfigMap and create events, nothing else.
        String user = "system:serviceaccount:" + ns.name() + ":fashion-classifier-serving";
        // The authorizer learns of a new RoleBinding from its own informer, a moment after the create.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(allowed(client, user, ns.name(), "configmaps", "watch", "fashion-classifier-detector")).isTrue();
            assertThat(allowed(client, user, ns.name(), "configmaps", "get", "fashion-classifier-detector")).isTrue();
            assertThat(allowed(client, user, ns.name(), "events", "create", null)).isTrue();
        });
        assertThat(allowed(client, user, ns.name(), "configmaps", "get", "other-config")).isFalse();
        assertThat(allowed(client, user, ns.name(), "configmaps", "update", "fashion-classifier-detector")).isFalse();
        assertThat(allowed(client, user, ns.name(), "secrets", "get", "fashion-api-keys")).isFalse();
        assertThat(allowed(client, user, ns.name(), "pods", "list", null)).isFalse();
    }

    private static boolean allowed(KubernetesClient client, String user, String namespace, String resource, String verb,
            String name) {
        var review = new io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user).withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .withNewResourceAttributes().withNamespace(namespace).withResource(resource).withVerb(verb).withName(name)
                .endResourceAttributes().endSpec().build();
        return client.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
    }

    @Test
    void revertsAManualEditOfTheDeployment(KubernetesClient client, TestNamespace ns) {
        client.resource(fixture(client, ns)).create();
        await().atMost(TIMEOUT).until(() -> Analyses.serving(client, ns.name(), "fashion-classifier").size() == 1);
        var deployment = client.apps().deployments().inNamespace(ns.name())
                .withName(Analyses.serving(client, ns.name(), "fashion-classifier").get(0).getMetadata().getName());

        // A person's edit (kubectl patch): a merge patch without resourceVersion, so it cannot conflict.
        Deployment edited = deployment.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":5}}");
        assertThat(edited.getSpec().getReplicas()).isEqualTo(5);

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment.get().getSpec().getReplicas()).isEqualTo(2));
    }

    @Test
    void schedulesGpuPodsOnlyOntoNodesWithTheRequestedProduct(KubernetesClient client, TestNamespace ns) {
        client.resource(gpuFixture(client, ns)).create();
        Analyses.pass(client, ns.name(), "fashion-gpu");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var pods = client.pods().inNamespace(ns.name()).withLabel(Labels.MODEL, "fashion-gpu")
                    .withLabel(Labels.COMPONENT, "serving").list().getItems();
            assertThat(pods).hasSize(2).allSatisfy(p -> {
                assertThat(p.getSpec().getNodeName()).isEqualTo("gpu-a100-0");
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
            });
            RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-gpu").get();
            assertThat(m.getStatus().phase).isEqualTo("Ready");
        });
    }

    // Since GPU platform awareness (issue 13) a request no node could ever hold is resolved before any
    // pod exists: GPUUnavailable, and no Deployment, instead of Pending pods that the scheduler
    // explains (InsufficientGPU stays for GPUs that exist but are taken; see GpuPlatformClusterTest).
    @Test
    void reportsGpuUnavailableWhenNoNodeIsLargeEnough(KubernetesClient client, TestNamespace ns) {
        RobustModel model = gpuFixture(client, ns);
        model.getSpec().serving.gpu.count = 4; // the largest node has 2
        client.resource(model).create();
        assertNoGpus(client, ns, "GPUUnavailable", "no eligible node has 4 nvidia.com/gpu allocatable (most: 2 on gpu-a100-0)");
    }

    @Test
    void aMigModelOnAClusterWithoutMigGetsAClearCondition(KubernetesClient client, TestNamespace ns) {
        RobustModel model = gpuFixture(client, ns);
        model.getSpec().serving.gpu.mig = "1g.5gb";
        client.resource(model).create();
        assertNoGpus(client, ns, "GPUUnavailable", "MIG profile 1g.5gb asked for, but the cluster runs no MIG");
        assertThat(Analyses.serving(client, ns.name(), "fashion-gpu")).as("no Pending pods: no Deployment").isEmpty();
    }

    private static void assertNoGpus(KubernetesClient client, TestNamespace ns, String reason, String message) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-gpu").get();
            assertThat(m.getStatus().phase).isEqualTo("Degraded");
            assertThat(Conditions.find(m.getStatus().conditions, Conditions.DEGRADED)).get().satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo(reason);
                assertThat(c.getMessage()).contains(message);
            });
            assertThat(client.v1().events().inNamespace(ns.name()).withField("involvedObject.name", "fashion-gpu")
                    .list().getItems()).anySatisfy(e -> {
                        assertThat(e.getReason()).isEqualTo(reason);
                        assertThat(e.getType()).isEqualTo("Warning");
                    });
        });
    }
}
