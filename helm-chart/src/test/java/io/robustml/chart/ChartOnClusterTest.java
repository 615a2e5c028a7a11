package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.robustml.controllers.RobustModelReconciler;
import io.robustml.controllers.dependent.ServingImages;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart against the real API server: its manifests pass a server-side dry run, and the operator
 * does a whole rollout (first release, weighted canary, rollback) with nothing but the chart's RBAC —
 * its client impersonates the chart's ServiceAccount, so a rule the chart lacks fails the scenario.
 */
@WithControlPlane(podSecurity = "restricted")
class ChartOnClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String MODEL = "fashion-classifier";

    @Test
    void everyManifestPassesAServerSideDryRun(KubernetesClient client, TestNamespace ns) {
        installCrds(client);
        List<HasMetadata> objects = Chart.render(release(ns), ns.name(), values(ns));
        try {
            for (HasMetadata o : objects) {
                client.resource(o).dryRun().fieldManager("helm").forceConflicts().serverSideApply();
            }
            assertThat(objects).hasSizeGreaterThan(5);
        } finally {
            deleteClusterScoped(client, objects);
        }
    }

    @Test
    void theOperatorRollsOutAndBackWithOnlyTheChartsRbac(KubernetesClient admin, TestNamespace ns, LocalControlPlane plane)
            throws Exception {
        List<HasMetadata> objects = Chart.render(release(ns), ns.name(), values(ns));
        rollOutAndBack(admin, ns, plane, objects, TIMEOUT);
    }

    /**
     * Long mode ({@code -Drobustml.rbac.mutation=true}, ~7 min): the scenario again with each rule of the
     * operator's ClusterRole removed in turn. Every rule must be needed — the scenario fails without
     * it — except the ones kept for features the scenario does not use, named here with the reason.
     */
    @ParameterizedTest(name = "without rule {0}")
    @MethodSource("ruleIndexes")
    @EnabledIfSystemProperty(named = "robustml.rbac.mutation", matches = "true")
    void everyRuleOfTheClusterRoleIsNeeded(int index, KubernetesClient admin, TestNamespace ns, LocalControlPlane plane) {
        List<HasMetadata> objects = Chart.render(release(ns), ns.name(), values(ns));
        ClusterRole role = objects.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals(release(ns) + "-robustml-operator")).findFirst().orElseThrow();
        PolicyRule removed = role.getRules().remove(index);
        String rule = removed.getApiGroups() + " " + removed.getResources() + " " + removed.getVerbs();
        System.out.println("[rbac] without " + rule);
        if (removed.getResources().contains("resourceclaimtemplates")) {
            // Only GPUs through Dynamic Resource Allocation use it (GpuPlatformClusterTest covers DRA).
            assertThatCode(() -> rollOutAndBack(admin, ns, plane, objects, TIMEOUT)).doesNotThrowAnyException();
            return;
        }
        assertThatThrownBy(() -> rollOutAndBack(admin, ns, plane, objects, Duration.ofSeconds(30)))
                .as("the scenario must fail without " + rule).isNotNull();
    }

    static Stream<Integer> ruleIndexes() {
        ClusterRole role = Chart.render(Map.of()).stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .filter(r -> r.getMetadata().getName().equals("robustml-robustml-operator")).findFirst().orElseThrow();
        return IntStream.range(0, role.getRules().size()).boxed();
    }

    /** A first release, a weighted canary and its rollback, the operator's client impersonating the chart's account. */
    private static void rollOutAndBack(KubernetesClient admin, TestNamespace ns, LocalControlPlane plane,
            List<HasMetadata> objects, Duration timeout) throws Exception {
        installCrds(admin);
        CustomResourceDefinitions.installGatewayApi(admin);
        String release = release(ns);
        Operator operator = null;
        try {
            for (HasMetadata o : objects) {
                if (o.getKind().contains("Role") || o.getKind().equals("ServiceAccount")) {
                    admin.resource(o).fieldManager("helm").forceConflicts().serverSideApply();
                }
            }
            String sa = "system:serviceaccount:" + ns.name() + ":" + release + "-robustml-operator";
            Config config = Config.fromKubeconfig(null, Files.readString(plane.kubeconfig()), plane.kubeconfig().toString());
            config.setImpersonateUsername(sa);
            config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + ns.name(), "system:authenticated");
            KubernetesClient asOperator = new KubernetesClientBuilder().withConfig(config).build();
            assertThatThrownBy(() -> asOperator.secrets().inNamespace(ns.name()).withName("anything").get())
                    .as("no Secret can be read").isInstanceOfSatisfying(KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(403));

            operator = operatorAs(asOperator, ns);
            try {
                operator.start();
            } catch (io.javaoperatorsdk.operator.OperatorException e) {
                if (!closedConnection(e)) {
                    throw e; // e.g. an informer the RBAC forbids: the scenario fails
                }
                // An informer started on a connection the API server had just closed: start once more, as the
                // kubelet would restart the operator's pod.
                System.out.println("[rbac] operator start failed on a closed connection, starting it again");
                operator.stop();
                operator = operatorAs(new KubernetesClientBuilder().withConfig(config).build(), ns);
                operator.start();
            }

            admin.resource(model(ns, "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0")).create();
            finish(admin, ns, awaitRun(admin, ns, timeout), "0.05");
            await().atMost(timeout).until(() -> "Ready".equals(status(admin, ns).phase));
            String stable = status(admin, ns).stableRevision;

            admin.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).edit(m -> {
                m.getSpec().model.sha256 = "1".repeat(64);
                return m;
            });
            AdversarialTestRun canaryRun = awaitRun(admin, ns, timeout);
            String canary = canaryRun.getSpec().target.revision;
            await().atMost(timeout).untilAsserted(() -> assertThat(route(admin, ns)).contains(canary));
            finish(admin, ns, canaryRun, "0.9");
            await().atMost(timeout).untilAsserted(() -> {
                RobustModelStatus s = status(admin, ns);
                assertThat(s.rejectedRevision).isEqualTo(canary);
                assertThat(admin.apps().deployments().inNamespace(ns.name()).withName(MODEL + "-" + canary).get()).isNull();
                assertThat(route(admin, ns)).doesNotContain(canary).contains(stable);
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.v1().events().inNamespace(ns.name())
                    .withField("involvedObject.name", MODEL).list().getItems()).as("events are written with the chart's rights")
                    .anyMatch(e -> "RobustnessRegression".equals(e.getReason())));
        } finally {
            if (operator != null) {
                operator.stop();
            }
            deleteClusterScoped(admin, objects);
        }
    }

    private static Operator operatorAs(KubernetesClient asOperator, TestNamespace ns) {
        // An informer the RBAC forbids must fail this scenario, not end the test JVM (JOSDK's default exits).
        Operator o = new Operator(c -> c.withKubernetesClient(asOperator).withCloseClientOnStop(true)
                .withInformerStoppedHandler((informer, error) -> System.out.println("[rbac] informer stopped: "
                        + error.getMessage().lines().findFirst().orElse("")))
                .withCacheSyncTimeout(Duration.ofSeconds(20)));
        o.register(new RobustModelReconciler(Clock.systemUTC(), ServingImages.tagged("robustml", "test"),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), c -> c.settingNamespace(ns.name()));
        return o;
    }

    private static boolean closedConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.core.http.HttpClosedException || t instanceof java.io.IOException) {
                return true;
            }
            if (t instanceof KubernetesClientException k && k.getCode() == 403) {
                return false;
            }
        }
        return false;
    }

    /** The GPU Operator's namespace is the test's own (the sharing-config Role needs an existing namespace). */
    private static Map<String, Object> values(TestNamespace ns) {
        return Map.of("rbac.gpuPlatform.gpuOperatorNamespace", ns.name());
    }

    /** Cluster-scoped names must not collide between tests: the release is named after the namespace. */
    private static String release(TestNamespace ns) {
        return "r" + Integer.toHexString(ns.name().hashCode() & 0xfffffff);
    }

    private static void installCrds(KubernetesClient client) {
        for (String crd : List.of("robustmodels.robustml.io-v1.yaml", "adversarialtestruns.robustml.io-v1.yaml")) {
            CustomResourceDefinitions.applyFromFile(client, Chart.DIR.resolve("files/crds").resolve(crd));
        }
    }

    private static void deleteClusterScoped(KubernetesClient client, List<HasMetadata> objects) {
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRole || o instanceof ClusterRoleBinding) {
                client.resource(o).delete();
            }
        }
    }

    private static RobustModel model(TestNamespace ns, String sha) {
        RobustModel m = io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
                apiVersion: robustml.io/v1alpha1
                kind: RobustModel
                metadata: {name: %s, namespace: %s}
                spec:
                  model: {uri: "file:///models/fashion/robust/model.pt", format: torchscript, sha256: "%s"}
                  serving: {replicas: 1}
                  threatModel:
                    attacks: [{type: pgd, epsilon: "0.1"}]
                  slos: {maxAdversarialSuccessRate: "0.3"}
                  rollout:
                    canary: {weight: 20, gateway: {name: public}, exposeDuringAnalysis: true}
                    analysis: {dataset: "file:///usr/share/datasets/fashion-mnist", samples: 100}
                """.formatted(MODEL, ns.name(), sha), RobustModel.class);
        return m;
    }

    private static RobustModelStatus status(KubernetesClient client, TestNamespace ns) {
        RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get();
        return m.getStatus() == null ? new RobustModelStatus() : m.getStatus();
    }

    private static AdversarialTestRun awaitRun(KubernetesClient client, TestNamespace ns, Duration timeout) {
        String[] name = new String[1];
        await().atMost(timeout).until(() -> {
            RobustModelStatus s = status(client, ns);
            if (s.analysis == null || s.analysis.startedAt == null) {
                return false;
            }
            name[0] = s.analysis.runName;
            return client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(name[0]).get() != null
                    && client.batch().v1().jobs().inNamespace(ns.name()).withName(name[0]).get() != null;
        });
        return client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(name[0]).get();
    }

    private static void finish(KubernetesClient client, TestNamespace ns, AdversarialTestRun run, String asr) {
        client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(run.getMetadata().getName())
                .editStatus(r -> {
                    AdversarialTestRunStatus s = new AdversarialTestRunStatus();
                    s.phase = "Succeeded";
                    s.startTime = Instant.now().minusSeconds(5).toString();
                    s.completionTime = Instant.now().toString();
                    s.samples = run.getSpec().dataset.samples;
                    s.cleanAccuracy = 0.9;
                    s.adversarialSuccessRate = io.robustml.crds.Decimals.value(asr);
                    r.setStatus(s);
                    return r;
                });
    }

    @SuppressWarnings("unchecked")
    private static List<String> route(KubernetesClient client, TestNamespace ns) {
        GenericKubernetesResource route = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                .inNamespace(ns.name()).withName(MODEL).get();
        List<String> backends = new ArrayList<>();
        if (route != null) {
            var spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
            var rules = (List<Map<String, Object>>) spec.get("rules");
            for (Map<String, Object> b : (List<Map<String, Object>>) rules.get(0).get("backendRefs")) {
                if (((Number) b.get("weight")).intValue() > 0) {
                    backends.add(((String) b.get("name")).substring(MODEL.length() + 1));
                }
            }
        }
        return backends;
    }
}
