package io.robustml.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.run.AdversarialTestRunStatus;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged Quarkus operator, with the controllers module's reconciler, against the real API server. */
@QuarkusTest
@QuarkusTestResource(RealControlPlaneResource.class)
class OperatorOnRealClusterTest {
    @Inject
    KubernetesClient client;

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @Test
    void reconcilesARobustModelIntoAServingDeploymentAndReportsReady() {
        String ns = "operator-it-" + Long.toHexString(System.nanoTime() & 0xfffffL);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
        try {
            RobustModel model = client.resources(RobustModel.class)
                    .load(getClass().getResourceAsStream("/robustmodel-example.yaml")).item();
            model.getMetadata().setNamespace(ns);
            client.resource(model).create();

            // Play the tester: pass the first revision's analysis once the operator has created its run.
            var models = client.resources(RobustModel.class).inNamespace(ns).withName("fashion-classifier");
            String[] run = new String[1];
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                RobustModel m = models.get();
                run[0] = m.getStatus() == null || m.getStatus().analysis == null || m.getStatus().analysis.startedAt == null
                        ? null : m.getStatus().analysis.runName;
                return run[0] != null && client.resources(AdversarialTestRun.class).inNamespace(ns).withName(run[0]).get() != null;
            });
            // The analysis Job runs the configured tester image (application.properties, %test).
            // (created just after its run)
            var job = await().atMost(Duration.ofSeconds(30)).until(
                    () -> client.batch().v1().jobs().inNamespace(ns).withName(run[0]).get(), java.util.Objects::nonNull);
            var tester = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(tester.getImage()).isEqualTo("registry.test:5000/ml/adversarial-tester:configured");
            assertThat(tester.getImagePullPolicy()).isEqualTo("Always");
            client.resources(AdversarialTestRun.class).inNamespace(ns).withName(run[0]).editStatus(r -> {
                r.setStatus(new AdversarialTestRunStatus());
                r.getStatus().phase = "Succeeded";
                r.getStatus().samples = r.getSpec().dataset.samples;
                r.getStatus().cleanAccuracy = 0.9;
                r.getStatus().adversarialSuccessRate = 0.05;
                return r;
            });

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                RobustModel m = models.get();
                Deployment d = client.apps().deployments().inNamespace(ns)
                        .withName("fashion-classifier-" + m.getStatus().stableRevision).get();
                assertThat(d).isNotNull();
                assertThat(d.getMetadata().getLabels())
                        .containsEntry("app.kubernetes.io/managed-by", "robustml-operator");
                assertThat(d.getSpec().getTemplate().getSpec().getContainers())
                        .extracting(c -> c.getImage() + " " + c.getImagePullPolicy())
                        .containsExactlyInAnyOrder("registry.test:5000/ml/sidecar-detector:configured Always",
                                "registry.test:5000/ml/model-server@sha256:"
                                        + "1111111111111111111111111111111111111111111111111111111111111111 Always");
                assertThat(m.getStatus()).isNotNull();
                assertThat(m.getStatus().observedGeneration).isEqualTo(1L);
                assertThat(m.getStatus().phase).isEqualTo("Ready");
            });
            System.out.println("[operator] RobustModel " + ns + "/fashion-classifier is Ready, Deployment created");
        } finally {
            client.namespaces().withName(ns).delete();
        }
    }

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void exportsReconcileMetrics() throws Exception {
        reconcilesARobustModelIntoAServingDeploymentAndReportsReady();
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.toURI()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        System.out.println("[operator] metric families: " + body.lines().filter(l -> l.startsWith("# TYPE") && (l.contains("reconcil") || l.contains("operator") || l.contains("controller")))
                .map(l -> l.split(" ")[2]).toList());
        assertThat(body).contains("reconciliations_success", "reconciliations_execution_duration_seconds",
                "robustml_models{", "robustml_rollout_promotions_total", "robustml_analysis_runs_started_total");
    }

    @Test
    void reportsHealthyWhileConnectedToTheCluster() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(readiness.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\": \"UP\"");
    }
}
