package io.robustml.controllers;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.robustml.controllers.dependent.ServingImages;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The reconciler at scale on the local control plane (kwok nodes and pods), in-process:
 * <ul>
 * <li>time from creating a RobustModel to its serving Deployment existing, on an idle operator,
 * against the baseline of the same run: Kubernetes' own Deployment controller, from creating a
 * Deployment to its ReplicaSet existing;</li>
 * <li>N RobustModels (default 1,000) created at once: time until every one has its Deployment and a
 * status for its generation, reconciles per second over that burst (counted by JOSDK's metrics hook),
 * and the heap the operator holds for them (used heap after GC, against the same JVM before).</li>
 * </ul>
 *
 * <pre>./mvnw -pl controllers -am -Pbench verify -Dtest=ScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.models=1000]</pre>
 */
@WithControlPlane(podSecurity = "restricted")
class ScaleBenchmark {
    private static final int MODELS = Integer.getInteger("bench.models", 1000);
    private static final int SAMPLES = 10;
    private static final Duration BURST_TIMEOUT = Duration.ofMinutes(20);

    @Test
    void reconcilerAtScale(KubernetesClient client, TestNamespace ns) throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        String ns1 = ns.name();

        double[] baseline = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            baseline[i] = deploymentToReplicaSet(client, ns1, "plain-" + i);
        }

        long heapBefore = usedHeapAfterGc();
        AtomicLong reconciles = new AtomicLong();
        Metrics counting = new Metrics() {
            @Override
            public void reconciliationFinished(HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
                reconciles.incrementAndGet();
            }
        };
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withMetrics(counting));
        operator.register(new RobustModelReconciler(Clock.systemUTC(), ServingImages.tagged("robustml", "test"), new SimpleMeterRegistry()),
                c -> c.settingNamespace(ns1));
        operator.start();
        try {
            double[] toDeployment = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                String name = "idle-" + i;
                long t0 = System.nanoTime();
                client.resource(model(client, ns1, name)).create();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> !Analyses.serving(client, ns1, name).isEmpty());
                toDeployment[i] = (System.nanoTime() - t0) / 1e9;
            }

            long before = reconciles.get();
            long t0 = System.nanoTime();
            ExecutorService creators = Executors.newFixedThreadPool(8);
            for (int i = 0; i < MODELS; i++) {
                RobustModel m = model(client, ns1, "m-" + i);
                creators.submit(() -> client.resource(m).create());
            }
            creators.shutdown();
            creators.awaitTermination(10, TimeUnit.MINUTES);
            double created = (System.nanoTime() - t0) / 1e9;
            await().atMost(BURST_TIMEOUT).pollInterval(Duration.ofSeconds(1)).until(() -> settled(client, ns1));
            double burst = (System.nanoTime() - t0) / 1e9;
            long burstReconciles = reconciles.get() - before;
            long heapAt = usedHeapAfterGc();

            System.out.printf(Locale.ROOT, "%n[bench] %s, local control plane (kube-apiserver v1.35, kwok), 2 cores, operator in-process%n",
                    Instant.now());
            System.out.printf(Locale.ROOT, "[bench] baseline: Deployment created -> its ReplicaSet exists (kube-controller-manager): %.3f s median (max %.3f), %d samples%n",
                    median(baseline), max(baseline), SAMPLES);
            System.out.printf(Locale.ROOT, "[bench] RobustModel created -> serving Deployment exists (idle operator): %.3f s median (max %.3f), %.1fx the baseline%n",
                    median(toDeployment), max(toDeployment), median(toDeployment) / median(baseline));
            System.out.printf(Locale.ROOT, "[bench] %d RobustModels created in %.1f s (8 threads); all with Deployment and status after %.1f s%n",
                    MODELS, created, burst);
            System.out.printf(Locale.ROOT, "[bench] reconciles in the burst: %d, %.1f per second; %.1f models settled per second%n",
                    burstReconciles, burstReconciles / burst, MODELS / burst);
            System.out.printf(Locale.ROOT, "[bench] heap held by the operator for %d models (+ their Deployments, pods, runs, Jobs): %.1f MiB (%.1f KiB per model)%n",
                    MODELS + SAMPLES, (heapAt - heapBefore) / 1048576.0, (heapAt - heapBefore) / 1024.0 / (MODELS + SAMPLES));
        } finally {
            operator.stop();
        }
    }

    /** Every model of the burst has a serving Deployment and a status for its generation. */
    private static boolean settled(KubernetesClient client, String ns) {
        Set<String> withStatus = new HashSet<>();
        for (RobustModel m : client.resources(RobustModel.class).inNamespace(ns).list().getItems()) {
            if (m.getStatus() != null && m.getStatus().observedGeneration != null
                    && m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration())) {
                withStatus.add(m.getMetadata().getName());
            }
        }
        Set<String> withDeployment = new HashSet<>();
        client.apps().deployments().inNamespace(ns).withLabel(Labels.COMPONENT, "serving").list().getItems()
                .forEach(d -> withDeployment.add(d.getMetadata().getLabels().get(Labels.MODEL)));
        return IntStream.range(0, MODELS).mapToObj(i -> "m-" + i)
                .allMatch(n -> withStatus.contains(n) && withDeployment.contains(n));
    }

    private static RobustModel model(KubernetesClient client, String ns, String name) {
        RobustModel m = client.resources(RobustModel.class)
                .load(ScaleBenchmark.class.getResourceAsStream("/robustmodel-minimal.yaml")).item();
        m.getMetadata().setName(name);
        m.getMetadata().setNamespace(ns);
        m.getSpec().serving.replicas = 1;
        return m;
    }

    private static double deploymentToReplicaSet(KubernetesClient client, String ns, String name) {
        Map<String, String> labels = Map.of("app", name);
        long t0 = System.nanoTime();
        client.resource(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("example/plain:1").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() ->
                !client.apps().replicaSets().inNamespace(ns).withLabels(labels).list().getItems().isEmpty());
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
