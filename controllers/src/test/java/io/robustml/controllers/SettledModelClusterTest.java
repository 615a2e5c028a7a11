package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a reconcile of a model that has nothing left to do sends to the API server: nothing but reads. Every
 * request of the operator's client is seen by an interceptor; a serving pod's label is touched, which wakes the
 * model's reconciler (pods are its secondary resources) and changes nothing it decides.
 */
@WithControlPlane(podSecurity = "restricted")
class SettledModelClusterTest {
    private static final String MODEL = "fashion-classifier";

    @Test
    void aReconcileOfASettledModelWritesNothing(KubernetesClient client, TestNamespace ns) throws Exception {
        Analyses.installCrds(client);
        List<String> writes = new CopyOnWriteArrayList<>();
        AtomicLong reconciles = new AtomicLong();
        try (KubernetesClient counted = new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("writes", new Interceptor() {
                    @Override
                    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        if (!"GET".equals(request.method())) {
                            writes.add(request.method() + " " + request.uri().getPath());
                        }
                    }
                })).build()) {
            Operator operator = Analyses.startOperator(counted, ns.name(), new SimpleMeterRegistry(), new Metrics() {
                @Override
                public void reconciliationFinished(HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
                    reconciles.incrementAndGet();
                }
            });
            try {
                RobustModel model = client.resources(RobustModel.class)
                        .load(SettledModelClusterTest.class.getResourceAsStream("/robustmodel-minimal.yaml")).item();
                model.getMetadata().setNamespace(ns.name());
                client.resource(model).create();
                Analyses.pass(client, ns.name(), MODEL);
                await().atMost(Duration.ofSeconds(60)).until(() -> "Ready".equals(Analyses.status(client, ns.name(), MODEL).phase));
                // Settled: nothing written for two seconds.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    int before = writes.size();
                    Thread.sleep(2000);
                    return writes.size() == before;
                });
                writes.clear();
                long before = reconciles.get();

                Pod pod = client.pods().inNamespace(ns.name()).withLabel(Labels.MODEL, MODEL).withLabel(Labels.COMPONENT, "serving")
                        .list().getItems().get(0);
                client.pods().inNamespace(ns.name()).withName(pod.getMetadata().getName())
                        .edit(p -> {
                            p.getMetadata().getLabels().put("touched", "true");
                            return p;
                        });
                await().atMost(Duration.ofSeconds(30)).until(() -> reconciles.get() > before);
                Thread.sleep(1000);

                assertThat(reconciles.get()).as("reconciles after the touch").isGreaterThan(before);
                assertThat(writes).as("requests other than GET after the touch").isEmpty();
            } finally {
                operator.stop();
            }
        }
    }
}
