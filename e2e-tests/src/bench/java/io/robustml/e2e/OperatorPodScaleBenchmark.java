package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.robustml.controllers.Labels;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The operator at scale as a user runs it: the Pod the chart installs (its image, its default resources: 512 MiB
 * memory limit, two replicas), on the real node. In the same run, on the same cluster:
 * <ol>
 * <li>baseline: N plain Deployments (default 1,000) created at once by 8 threads; over when each has its ReplicaSet
 * (Kubernetes' own Deployment controller);</li>
 * <li>N RobustModels ({@code examples/local-cluster/fashion-classifier.yaml} under N names) created the same way;
 * over when each has its serving Deployment and a status for its generation.</li>
 * </ol>
 * Both sides' pods select a node label no node has, so they stay Pending (the same pod work for the scheduler on
 * both sides, and nothing runs on the two cores but the control plane and the operator). Watches, not lists,
 * see the objects arrive. Before the bursts, 10 of each one at a time (what one object costs each controller);
 * after the models' burst, the operator pods' restarts and last termination (an OOM kill shows there), their
 * containers' peak memory (cgroup) and their heap.
 *
 * <pre>
 * ./mvnw -o -B -pl e2e-tests -Pbench verify -Drobustml.install.skip=true -Dtest=OperatorPodScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.models=1000]
 * </pre>
 */
@WithControlPlane
class OperatorPodScaleBenchmark {
    private static final int N = Integer.getInteger("bench.models", 1000);
    private static final int THREADS = 8;
    private static final String RELEASE = "robustml-scale";
    private static final Duration BURST_TIMEOUT = Duration.ofMinutes(20);
    /** No node carries this label: every pod of the benchmark stays Pending. */
    private static final Map<String, String> NOWHERE = Map.of("robustml.io/scale-benchmark", "nowhere");

    @Test
    void thousandRobustModelsSettleAgainstThousandDeployments(KubernetesClient client, LocalControlPlane plane) throws Exception {
        RealCluster cluster = RealCluster.up(plane);
        String system = RealCluster.restrictedNamespace(client, "robustml-system");
        String plain = RealCluster.restrictedNamespace(client, "plain");
        String models = RealCluster.restrictedNamespace(client, "scale");
        cluster.installChart(RELEASE, system, List.of(models));
        try {
            RobustModel template = client.getKubernetesSerialization().unmarshal(
                    Files.readString(plane.repoRoot().resolve("examples/local-cluster/fashion-classifier.yaml")), RobustModel.class);
            // One at a time first: what a single object costs each controller when nothing else happens.
            double[] plainOne = new double[SAMPLES];
            double[] modelOne = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                String name = "one-" + i;
                plainOne[i] = timed(() -> client.resource(plainDeployment(plain, name)).create(), () -> !client.apps().replicaSets()
                        .inNamespace(plain).withLabel("app", name).list().getItems().isEmpty());
                modelOne[i] = timed(() -> client.resource(robustModel(template, models, name)).create(), () -> !client.apps()
                        .deployments().inNamespace(models).withLabel(Labels.MODEL, name).list().getItems().isEmpty());
            }
            print("one at a time: Deployment created -> its ReplicaSet %.3f s median (max %.3f); RobustModel created -> its "
                    + "serving Deployment %.3f s median (max %.3f), %d samples each", median(plainOne), max(plainOne),
                    median(modelOne), max(modelOne), SAMPLES);

            Burst baseline = burst(client, plain, ReplicaSet.class, rs -> true,
                    rs -> rs.getMetadata().getLabels().get("app"),
                    i -> plainDeployment(plain, "plain-" + i));
            print("baseline: %d Deployments created in %.1f s; all with a ReplicaSet after %.1f s", N, baseline.created,
                    baseline.settled);

            Set<String> withDeployment = ConcurrentHashMap.newKeySet();
            SharedIndexInformer<Deployment> deployments = client.apps().deployments().inNamespace(models)
                    .withLabel(Labels.COMPONENT, "serving").inform(seen(d -> withDeployment.add(d.getMetadata().getLabels()
                            .get(Labels.MODEL))));
            Burst robust;
            try {
                robust = burst(client, models, RobustModel.class,
                        m -> withDeployment.contains(m.getMetadata().getName()) && m.getStatus() != null
                                && m.getMetadata().getGeneration().equals(m.getStatus().observedGeneration),
                        m -> m.getMetadata().getName(), i -> robustModel(template, models, "m-" + i));
            } finally {
                deployments.close();
            }
            print("%d RobustModels created in %.1f s; all with their Deployment and a status for their generation after %.1f s",
                    N, robust.created, robust.settled);
            print("ratio: %.2fx the baseline's time (goal <= 3x)", robust.settled / baseline.settled);

            List<Pod> operators = client.pods().inNamespace(system).withLabel("app.kubernetes.io/instance", RELEASE).list()
                    .getItems();
            for (Pod p : operators) {
                var status = p.getStatus().getContainerStatuses().get(0);
                String last = status.getLastState() == null || status.getLastState().getTerminated() == null ? "none"
                        : status.getLastState().getTerminated().getReason();
                var limits = p.getSpec().getContainers().get(0).getResources().getLimits();
                print("operator pod %s: restarts %d, last termination %s, memory limit %s; container %s", p.getMetadata().getName(),
                        status.getRestartCount(), last, limits == null ? "none" : limits.get("memory"), cgroupMemory(p));
                RecordedSeries metrics = RecordedSeries.scrape("http://" + p.getStatus().getPodIP() + ":8080/q/metrics",
                        "scale-" + p.getMetadata().getName());
                print("  heap used %.1f MiB of max %.1f MiB (not after a GC), non-heap %.1f MiB, buffers %.1f MiB, %.0f threads",
                        sum(metrics, "jvm_memory_used_bytes{area=\"heap\"") / 1048576,
                        sum(metrics, "jvm_memory_max_bytes{area=\"heap\"") / 1048576,
                        sum(metrics, "jvm_memory_used_bytes{area=\"nonheap\"") / 1048576,
                        sum(metrics, "jvm_buffer_memory_used_bytes") / 1048576, sum(metrics, "jvm_threads_live_threads"));
            }
            assertThat(operators).allSatisfy(p -> assertThat(p.getStatus().getContainerStatuses().get(0).getRestartCount())
                    .as("restarts of %s", p.getMetadata().getName()).isZero());
        } finally {
            cluster.uninstallChart(RELEASE, system);
            for (String ns : List.of(models, plain, system)) {
                client.namespaces().withName(ns).delete();
            }
        }
    }

    record Burst(double created, double settled) {
    }

    private static final int SAMPLES = 10;

    private static double timed(Runnable create, java.util.concurrent.Callable<Boolean> done) {
        long t0 = System.nanoTime();
        create.run();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(done);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    /**
     * The container's memory as its cgroup counts it (the node is this machine): the largest it has been, its limit and
     * the OOM kills in it; cgroup v2 ({@code memory.peak}) or v1's memory controller ({@code memory.max_usage_in_bytes}).
     * Found by the container's id in the cgroup paths.
     */
    private static String cgroupMemory(Pod p) {
        var status = p.getStatus().getContainerStatuses().get(0);
        if (status.getContainerID() == null) {
            return "no container";
        }
        String id = status.getContainerID().substring(status.getContainerID().indexOf("://") + 3);
        try (var dirs = Files.find(java.nio.file.Path.of("/sys/fs/cgroup"), 8, (path, attrs) -> attrs.isDirectory()
                && path.getFileName() != null && path.getFileName().toString().contains(id))) {
            for (java.nio.file.Path dir : dirs.toList()) {
                if (Files.exists(dir.resolve("memory.peak"))) {
                    return memory(dir, "memory.peak", "memory.max", "memory.events", "oom_kill ");
                }
                if (Files.exists(dir.resolve("memory.max_usage_in_bytes"))) {
                    return memory(dir, "memory.max_usage_in_bytes", "memory.limit_in_bytes", "memory.oom_control", "oom_kill ");
                }
            }
            return "no memory cgroup found";
        } catch (IOException | RuntimeException e) {
            return "not read (" + e + ")";
        }
    }

    private static String memory(java.nio.file.Path dir, String peakFile, String limitFile, String eventsFile, String killKey)
            throws IOException {
        long peak = Long.parseLong(Files.readString(dir.resolve(peakFile)).strip());
        String limit = Files.readString(dir.resolve(limitFile)).strip();
        String kills = Files.readAllLines(dir.resolve(eventsFile)).stream().filter(l -> l.startsWith(killKey))
                .map(l -> l.substring(killKey.length())).findFirst().orElse("?");
        return String.format(Locale.ROOT, "peak %.1f MiB of limit %s, OOM kills %s (%s)", peak / 1048576.0,
                limit.equals("max") || limit.length() > 15 ? "none" : String.format(Locale.ROOT, "%.0f MiB",
                        Long.parseLong(limit) / 1048576.0), kills, dir.resolve(peakFile));
    }

    /**
     * Creates N objects with 8 threads and waits until the watch of {@code watched} has seen every name settle; the
     * time counts from the first create.
     */
    private static <W extends HasMetadata> Burst burst(KubernetesClient client, String ns, Class<W> watched,
            Predicate<W> settledWhen, Function<W, String> nameOf, Function<Integer, HasMetadata> object)
            throws InterruptedException {
        List<HasMetadata> objects = java.util.stream.IntStream.range(0, N).mapToObj(object::apply).toList();
        Set<String> expected = objects.stream().map(o -> o.getMetadata().getName()).collect(java.util.stream.Collectors.toSet());
        Set<String> settled = ConcurrentHashMap.newKeySet();
        AtomicLong last = new AtomicLong();
        Map<String, W> latest = new ConcurrentHashMap<>();
        Consumer<W> look = w -> {
            latest.put(w.getMetadata().getName(), w);
            String name = nameOf.apply(w);
            if (expected.contains(name) && settledWhen.test(w) && settled.add(name)) {
                last.set(System.nanoTime());
            }
        };
        SharedIndexInformer<W> informer = client.resources(watched).inNamespace(ns).inform(seen(look));
        try {
            long t0 = System.nanoTime();
            ExecutorService creators = Executors.newFixedThreadPool(THREADS);
            for (HasMetadata o : objects) {
                creators.submit(() -> client.resource(o).create());
            }
            creators.shutdown();
            creators.awaitTermination(10, TimeUnit.MINUTES);
            double created = (System.nanoTime() - t0) / 1e9;
            await().atMost(BURST_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                // A model whose Deployment arrived after its last update: look at what was seen again.
                latest.values().forEach(look);
                return settled.size() >= N;
            });
            return new Burst(created, (last.get() - t0) / 1e9);
        } finally {
            informer.close();
        }
    }

    /** Every added or updated object, as the watch sees it. */
    private static <T> ResourceEventHandler<T> seen(Consumer<T> look) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                look.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                look.accept(newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            }
        };
    }

    private static RobustModel robustModel(RobustModel template, String ns, String name) {
        RobustModel m = io.fabric8.kubernetes.client.utils.Serialization.clone(template);
        m.getMetadata().setName(name);
        m.getMetadata().setNamespace(ns);
        m.getSpec().serving.nodeSelector = NOWHERE;
        m.getSpec().serving.tolerations = null;
        return m;
    }

    /** One replica, Pod Security "restricted", the same pending placement as the models' pods. */
    private static Deployment plainDeployment(String ns, String name) {
        Map<String, String> labels = Map.of("app", name);
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .withNodeSelector(NOWHERE)
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("c").withImage("example/plain:1").withNewSecurityContext()
                .withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext().endContainer().endSpec().endTemplate().endSpec().build();
    }

    /** The sum of the samples whose series starts with {@code prefix} (name, and labels as exported). */
    private static double sum(RecordedSeries metrics, String prefix) {
        return metrics.samples().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static void print(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    static {
        print("%s, local cluster with the real node (kube-apiserver, etcd, controller manager, scheduler, kwok, kubelet, "
                + "containerd) on %d cores", Instant.now(), Runtime.getRuntime().availableProcessors());
    }
}
