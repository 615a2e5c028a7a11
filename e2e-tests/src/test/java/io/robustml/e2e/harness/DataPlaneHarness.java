package io.robustml.e2e.harness;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data plane of one namespace, for real: a kubelet for the pods the operator creates there (each
 * container run as its image's real program, see {@link PodPlan}) and a kube-proxy for its Services.
 *
 * <ul>
 * <li>Nodes: while it runs, the kwok nodes are cordoned and mirrored by nodes that only the harness
 * runs ({@link HarnessNodes}), so kwok never writes the status of the operator's pods.</li>
 * <li>Pods: run once the real scheduler has bound them to a harness node, their status written from the
 * processes (readiness from the real probes, exits with their termination messages, a Job's pod
 * Succeeded or Failed by its exit code), stopped when the pod is deleted.</li>
 * <li>ConfigMap and Secret volumes: written like kubelet's atomic writer and rewritten within a second of
 * a change on the API server.</li>
 * <li>Services: each gets a loopback address (127.77.x.y) and a listener on each of its ports that
 * forwards to a Ready endpoint from the real EndpointSlices; every program resolves Service names to
 * those addresses through a hosts file ({@code -Djdk.net.hosts.file}), so endpoints such as
 * {@code http://<model>-<rev>.<ns>.svc} are used unchanged.</li>
 * <li>ServiceAccounts: a pod that mounts its token (not the serving pods) gets a kubeconfig with a token
 * from the TokenRequest API for its serviceAccountName, bound to the pod, so its RBAC is real.</li>
 * </ul>
 * A pod spec the programs cannot run is recorded in {@link #failures()}; the scenarios assert none.
 * {@link #close()} (also a JVM shutdown hook) stops every process it started.
 */
public final class DataPlaneHarness implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Path repoRoot;
    private final Path workDir;
    private final Path hostsFile;
    private final List<Path> nodePaths;
    private final Map<String, PodRunner> runners = new ConcurrentHashMap<>(); // by pod uid
    private final Map<String, String> podIPs = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>(); // pod uid -> its ServiceAccount token
    private final Map<String, Instant> readyAt = new ConcurrentHashMap<>(); // serving pod name -> all its containers ready
    private final Map<String, Map.Entry<Boolean, Instant>> readiness = new ConcurrentHashMap<>(); // uid -> ready, since
    private final Map<String, Long> waitingSince = new ConcurrentHashMap<>();
    private final Map<String, ServiceEntry> services = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextPodIp = new AtomicInteger();
    private final AtomicInteger nextServiceIp = new AtomicInteger();
    private final ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "harness-kubelet"));
    private final ScheduledExecutorService statusWriter = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "harness-status"));
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<Pod> pods;
    private HarnessNodes nodes;
    private SharedIndexInformer<ConfigMap> configMaps;
    private SharedIndexInformer<Secret> secrets;
    private SharedIndexInformer<EndpointSlice> slices;
    private final Thread shutdownHook = new Thread(this::stopAll, "harness-shutdown");

    private record ServiceEntry(String address, List<ServiceProxy> proxies) {
    }

    private DataPlaneHarness(KubernetesClient client, String namespace, Path repoRoot, Path workDir, List<Path> nodePaths) {
        this.client = client;
        this.namespace = namespace;
        this.repoRoot = repoRoot;
        this.workDir = workDir;
        this.hostsFile = workDir.resolve("hosts");
        this.nodePaths = nodePaths;
    }

    /**
     * Starts the kubelet and kube-proxy parts for {@code namespace}. {@code nodePaths}: folders of this
     * machine that pods may name directly (file:// models and datasets, like files on a node).
     */
    public static DataPlaneHarness start(KubernetesClient client, String namespace, Path repoRoot, Path workDir,
            List<Path> nodePaths) {
        for (String module : List.of("model-server", "sidecar-detector", "adversarial-tester")) {
            Program p = Program.CATALOG.get("robustml/" + module);
            if (!Files.isRegularFile(p.jarIn(repoRoot))) {
                throw new IllegalStateException(p.jarIn(repoRoot) + " is missing: package the " + module + " module first");
            }
        }
        DataPlaneHarness h = new DataPlaneHarness(client, namespace, repoRoot, workDir,
                nodePaths.stream().map(p -> p.toAbsolutePath().normalize()).toList());
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(h.shutdownHook);
        h.nodes = HarnessNodes.start(client);
        h.writeHosts();
        h.inform();
        return h;
    }

    private void inform() {
        configMaps = client.configMaps().inNamespace(namespace).inform(onAnyChange(() -> kubelet.execute(this::resyncVolumes)));
        secrets = client.secrets().inNamespace(namespace).inform(onAnyChange(() -> kubelet.execute(this::resyncVolumes)));
        slices = client.discovery().v1().endpointSlices().inNamespace(namespace).inform();
        informers.addAll(List.of(configMaps, secrets, slices));
        informers.add(client.services().inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                kubelet.execute(() -> addService(s));
            }

            @Override
            public void onUpdate(Service old, Service s) {
            }

            @Override
            public void onDelete(Service s, boolean unknown) {
                kubelet.execute(() -> removeService(s.getMetadata().getName()));
            }
        }));
        pods = client.pods().inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                kubelet.execute(() -> sync(p.getMetadata().getUid()));
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                kubelet.execute(() -> sync(p.getMetadata().getUid()));
            }

            @Override
            public void onDelete(Pod p, boolean unknown) {
                kubelet.execute(() -> stop(p.getMetadata().getUid(), p.getMetadata().getName(), "deleted"));
            }
        });
        informers.add(pods);
        kubelet.scheduleWithFixedDelay(this::resyncVolumes, 1, 1, TimeUnit.SECONDS);
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> onAnyChange(Runnable r) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T o) {
                r.run();
            }

            @Override
            public void onUpdate(T a, T b) {
                r.run();
            }

            @Override
            public void onDelete(T o, boolean unknown) {
                r.run();
            }
        };
    }

    private Optional<Pod> current(String uid) {
        return pods.getStore().list().stream().filter(p -> uid.equals(p.getMetadata().getUid())).findFirst();
    }

    /** One pass of the kubelet loop for one pod: run it once bound, stop it when it goes. */
    private void sync(String uid) {
        Optional<Pod> found = current(uid);
        if (found.isEmpty()) {
            return;
        }
        Pod pod = found.get();
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            stop(uid, name, "terminating");
            if (nodes.owns(pod.getSpec().getNodeName())) {
                // kubelet's last step: its containers have stopped, so the pod object goes.
                client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
            }
            return;
        }
        if (pod.getSpec().getNodeName() == null || runners.containsKey(uid)) {
            return;
        }
        if (!nodes.owns(pod.getSpec().getNodeName())) {
            fail(pod, "NotRunByHarness", "bound to node " + pod.getSpec().getNodeName() + ", which the harness does not run");
            return;
        }
        try {
            runners.put(uid, run(pod));
            waitingSince.remove(uid);
        } catch (PodPlan.MissingReferenceException e) {
            long since = waitingSince.computeIfAbsent(uid, k -> System.nanoTime());
            if (System.nanoTime() - since > TimeUnit.SECONDS.toNanos(60)) {
                fail(pod, "CreateContainerConfigError", e.getMessage() + " not found for 60 s");
            } else {
                kubelet.schedule(() -> sync(uid), 500, TimeUnit.MILLISECONDS);
            }
        } catch (UnrunnablePodException e) {
            fail(pod, "CreateContainerConfigError", e.getMessage());
        }
    }

    private void fail(Pod pod, String reason, String message) {
        String uid = pod.getMetadata().getUid();
        if (runners.containsKey(uid) || failures.stream().anyMatch(f -> f.startsWith(pod.getMetadata().getName() + ":"))) {
            return;
        }
        failures.add(pod.getMetadata().getName() + ": " + message);
        System.out.println("[harness] " + pod.getMetadata().getName() + ": CANNOT RUN: " + message);
        List<ContainerState> waiting = pod.getSpec().getContainers().stream()
                .map(c -> new ContainerState(c.getName(), c.getImage(), ContainerState.Phase.WAITING, false, 0, reason,
                        message, null, null, null, null)).toList();
        patchStatus(pod.getMetadata().getName(), PodStatusReport.of(pod.getSpec().getRestartPolicy(), null, null, waiting,
                Instant.now()));
    }

    private PodRunner run(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String name = pod.getMetadata().getName();
        Path podDir = workDir.resolve("pods").resolve(name);
        Pod fresh = client.pods().inNamespace(namespace).withName(name).get(); // kwok may have given it an IP already
        if (fresh != null && fresh.getStatus() != null && fresh.getStatus().getPodIP() != null) {
            pod = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editOrNewStatus().withPodIP(fresh.getStatus().getPodIP())
                    .endStatus().build();
        }
        String ip = pod.getStatus() != null && pod.getStatus().getPodIP() != null ? pod.getStatus().getPodIP()
                : "10.245." + (nextPodIp.get() / 250) + "." + (nextPodIp.getAndIncrement() % 250 + 1);
        podIPs.put(uid, ip);
        Pod withIp = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editOrNewStatus().withPodIP(ip).endStatus().build();
        PodPlan plan = PodPlan.of(withIp, new PodPlan.Inputs(this::configMap, this::secret, podDir, DataPlaneHarness::freePort,
                nodePaths, repoRoot, hostsFile, kubeconfig(pod, podDir)));
        plan.warnings().forEach(w -> System.out.println("[harness] " + name + ": note: " + w));
        writeVolumes(pod, plan);
        PodRunner runner = new PodRunner(name, pod.getSpec().getRestartPolicy(), plan, r -> {
            try {
                statusWriter.execute(() -> report(uid, r));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // the harness is closing
            }
        });
        System.out.println("[harness] " + name + ": bound to " + pod.getSpec().getNodeName() + ", running it as " + ip
                + " with ports " + plan.ports() + " (pod port -> loopback)");
        runner.start();
        return runner;
    }

    private void report(String uid, PodRunner r) {
        if (!runners.containsKey(uid) && !r.finished()) {
            return; // stopped
        }
        boolean ready = r.ready();
        if ("Always".equals(r.restartPolicy) && ready) {
            readyAt.putIfAbsent(r.podName, Instant.now());
        }
        // Conditions' lastTransitionTime moves only when readiness flips, as kubelet's does.
        var last = readiness.get(uid);
        if (last == null || last.getKey() != ready) {
            last = Map.entry(ready, Instant.now());
            readiness.put(uid, last);
        }
        patchStatus(r.podName, PodStatusReport.of(r.restartPolicy, podIPs.get(uid), r.started, r.states(), last.getValue()));
    }

    private void patchStatus(String pod, Map<String, Object> body) {
        try {
            client.pods().inNamespace(namespace).withName(pod).subresource("status")
                    .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(body));
        } catch (RuntimeException e) {
            System.out.println("[harness] " + pod + ": status not written: " + e.getMessage());
        }
    }

    private ConfigMap configMap(String name) {
        return configMaps.getStore().getByKey(namespace + "/" + name);
    }

    private Secret secret(String name) {
        return secrets.getStore().getByKey(namespace + "/" + name);
    }

    private void writeVolumes(Pod pod, PodPlan plan) {
        for (var v : pod.getSpec().getVolumes() == null ? List.<io.fabric8.kubernetes.api.model.Volume>of()
                : pod.getSpec().getVolumes()) {
            Path dir = plan.volumeDirs().get(v.getName());
            Map<String, byte[]> files = PodPlan.volumeFiles(v, pod, this::configMap, this::secret, () -> tokens.getOrDefault(pod.getMetadata().getUid(), ""));
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (files != null) {
                VolumeWriter.write(dir, files);
            }
        }
        for (var c : plan.containers()) {
            try {
                Files.createDirectories(c.dir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Keeps every running pod's ConfigMap/Secret volumes equal to the API server's objects. */
    private void resyncVolumes() {
        for (var e : runners.entrySet()) {
            current(e.getKey()).ifPresent(pod -> {
                for (var v : pod.getSpec().getVolumes() == null ? List.<io.fabric8.kubernetes.api.model.Volume>of()
                        : pod.getSpec().getVolumes()) {
                    try {
                        Map<String, byte[]> files = PodPlan.volumeFiles(v, pod, this::configMap, this::secret, () -> tokens.getOrDefault(pod.getMetadata().getUid(), ""));
                        if (files != null && VolumeWriter.write(e.getValue().plan.volumeDirs().get(v.getName()), files)) {
                            System.out.println("[harness] " + pod.getMetadata().getName() + ": volume " + v.getName() + " updated");
                        }
                    } catch (PodPlan.MissingReferenceException gone) {
                        // kubelet keeps the last content when the source disappears
                    }
                }
            });
        }
    }

    /**
     * A kubeconfig with a TokenRequest token for the pod's ServiceAccount, unless the pod mounts no token:
     * neither automounted nor a projected serviceAccountToken (the serving pods' sidecar-only token, which
     * {@link PodPlan} then gives only to the containers that mount it).
     */
    private Optional<Path> kubeconfig(Pod pod, Path podDir) {
        boolean projected = PodPlan.projectsServiceAccountToken(pod);
        if (Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken()) && !projected) {
            return Optional.empty();
        }
        String account = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
        var sa = client.serviceAccounts().inNamespace(namespace).withName(account).get();
        if (sa == null) {
            throw new PodPlan.MissingReferenceException("ServiceAccount " + account);
        }
        if (Boolean.FALSE.equals(sa.getAutomountServiceAccountToken()) && pod.getSpec().getAutomountServiceAccountToken() == null
                && !projected) {
            return Optional.empty();
        }
        var token = client.serviceAccounts().inNamespace(namespace).withName(account).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(3600L)
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build());
        tokens.put(pod.getMetadata().getUid(), token.getStatus().getToken());
        var config = client.getConfiguration();
        String ca;
        try {
            ca = config.getCaCertData() != null ? config.getCaCertData()
                    : Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: cluster\n  cluster:\n    server: " + config.getMasterUrl()
                + "\n    certificate-authority-data: " + ca + "\nusers:\n- name: " + account + "\n  user:\n    token: "
                + token.getStatus().getToken() + "\ncontexts:\n- name: pod\n  context: {cluster: cluster, user: " + account
                + ", namespace: " + namespace + "}\ncurrent-context: pod\n";
        try {
            Path file = podDir.resolve("serviceaccount/kubeconfig");
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stop(String uid, String name, String why) {
        PodRunner r = runners.remove(uid);
        if (r != null) {
            System.out.println("[harness] " + name + ": " + why + ", stopping its processes");
            r.close();
        }
    }

    // --- Services -------------------------------------------------------------------------------

    private void addService(Service s) {
        String name = s.getMetadata().getName();
        if (services.containsKey(name) || s.getSpec().getPorts() == null) {
            return;
        }
        int n = nextServiceIp.incrementAndGet();
        String address = "127.77." + (n / 250) + "." + (n % 250 + 1);
        List<ServiceProxy> proxies = new ArrayList<>();
        try {
            for (ServicePort port : s.getSpec().getPorts()) {
                if (!"TCP".equals(Objects.requireNonNullElse(port.getProtocol(), "TCP"))) {
                    continue;
                }
                proxies.add(new ServiceProxy(name + ":" + port.getPort(), InetAddress.getByName(address), port.getPort(),
                        () -> backend(name, port)));
            }
        } catch (IOException e) {
            proxies.forEach(ServiceProxy::close);
            failures.add("Service " + name + ": " + e.getMessage());
            return;
        }
        services.put(name, new ServiceEntry(address, proxies));
        writeHosts();
    }

    private void removeService(String name) {
        ServiceEntry e = services.remove(name);
        if (e != null) {
            e.proxies().forEach(ServiceProxy::close);
            writeHosts();
        }
    }

    /** A Ready endpoint of the Service port, round robin, as the loopback port of that pod's container. */
    private final AtomicInteger roundRobin = new AtomicInteger();

    private Optional<Integer> backend(String service, ServicePort port) {
        List<Integer> candidates = new ArrayList<>();
        for (EndpointSlice slice : slices.getStore().list()) {
            if (slice.getMetadata().getLabels() == null
                    || !service.equals(slice.getMetadata().getLabels().get("kubernetes.io/service-name"))) {
                continue;
            }
            Integer containerPort = slice.getPorts() == null ? null : slice.getPorts().stream()
                    .filter(p -> Objects.equals(p.getName(), port.getName()) || slice.getPorts().size() == 1)
                    .map(io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort::getPort).findFirst().orElse(null);
            if (containerPort == null || slice.getEndpoints() == null) {
                continue;
            }
            for (var ep : slice.getEndpoints()) {
                boolean ready = ep.getConditions() == null || !Boolean.FALSE.equals(ep.getConditions().getReady());
                if (!ready || ep.getTargetRef() == null) {
                    continue;
                }
                PodRunner r = runners.get(ep.getTargetRef().getUid());
                if (r == null) {
                    r = runners.values().stream().filter(x -> x.podName.equals(ep.getTargetRef().getName())).findFirst().orElse(null);
                }
                if (r != null && r.plan.ports().containsKey(containerPort)) {
                    candidates.add(r.plan.ports().get(containerPort));
                }
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(candidates.get(Math.floorMod(roundRobin.getAndIncrement(), candidates.size())));
    }

    private synchronized void writeHosts() {
        StringBuilder b = new StringBuilder("127.0.0.1 localhost\n");
        try {
            b.append("127.0.0.1 ").append(InetAddress.getLocalHost().getHostName()).append('\n');
        } catch (IOException ignored) {
            // no host name
        }
        services.forEach((name, e) -> b.append(e.address()).append(' ').append(name).append(' ').append(name).append('.')
                .append(namespace).append(' ').append(name).append('.').append(namespace).append(".svc ").append(name)
                .append('.').append(namespace).append(".svc.cluster.local\n"));
        try {
            Path tmp = hostsFile.resolveSibling("hosts.tmp");
            Files.writeString(tmp, b.toString());
            Files.move(tmp, hostsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- for the scenarios ------------------------------------------------------------------------

    /** The Service as this machine reaches it, e.g. {@code http://127.77.0.2:80} (its first port unless named). */
    public String serviceUrl(String service, String portName) {
        ServiceEntry e = services.get(service);
        if (e == null) {
            throw new IllegalStateException("no Service " + service + " in " + namespace + " (known: " + services.keySet() + ")");
        }
        Service s = client.services().inNamespace(namespace).withName(service).get();
        int port = s.getSpec().getPorts().stream().filter(p -> portName == null || portName.equals(p.getName()))
                .findFirst().orElseThrow().getPort();
        return "http://" + e.address() + ":" + port;
    }

    /**
     * When the serving pods whose names start with {@code prefix} (a Deployment's name plus '-') were
     * really ready: the latest first-ready time among them, from the harness's own probes.
     */
    public Optional<Instant> servingReadyAt(String prefix) {
        return readyAt.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                .max(Instant::compareTo);
    }

    /** Why pods could not run (empty when every pod spec ran). */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Names of the serving pods (restartPolicy Always) whose processes run now. */
    public List<String> runningServingPods() {
        return runners.values().stream().filter(r -> "Always".equals(r.restartPolicy)).filter(PodRunner::anyAlive)
                .map(r -> r.podName).sorted().toList();
    }

    /**
     * A pod the harness runs, as this machine reaches it: {@code ports} maps each pod port to the loopback
     * port the harness moved it to, so a scenario can talk to one pod's sidecar directly, not round robin.
     */
    public record RunningPod(String name, String uid, Map<String, String> labels, Map<Integer, Integer> ports) {
        /** {@code http://127.0.0.1:<port>} for the pod's port {@code podPort} (e.g. 8080, the sidecar). */
        public String url(int podPort) {
            Integer port = ports.get(podPort);
            if (port == null) {
                throw new IllegalArgumentException("pod " + name + " has no port " + podPort + " (ports: " + ports.keySet() + ")");
            }
            return "http://127.0.0.1:" + port;
        }
    }

    /** The serving pods (restartPolicy Always) whose processes run now, by name. */
    public List<RunningPod> servingPods() {
        List<RunningPod> result = new ArrayList<>();
        for (var e : runners.entrySet()) {
            PodRunner r = e.getValue();
            if (!"Always".equals(r.restartPolicy) || !r.anyAlive()) {
                continue;
            }
            Map<String, String> labels = current(e.getKey()).map(p -> p.getMetadata().getLabels()).orElse(Map.of());
            result.add(new RunningPod(r.podName, e.getKey(), Map.copyOf(labels), Map.copyOf(r.plan.ports())));
        }
        result.sort(java.util.Comparator.comparing(RunningPod::name));
        return result;
    }

    /** A container's log of a pod (by name prefix), for assertions and diagnosis. */
    public String log(String podPrefix, String container) {
        try (var dirs = Files.list(workDir.resolve("pods"))) {
            StringBuilder b = new StringBuilder();
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith(podPrefix)).sorted().toList()) {
                Path log = d.resolve("containers").resolve(container).resolve("log");
                if (Files.isRegularFile(log)) {
                    b.append(Files.readString(log));
                }
            }
            return b.toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** A file of a pod's volume (pod by name prefix) as its containers see it now. */
    public Optional<String> volumeFile(String podPrefix, String volume, String file) {
        return runners.values().stream().filter(r -> r.podName.startsWith(podPrefix) && r.plan.volumeDirs().containsKey(volume))
                .findFirst().map(r -> {
            try {
                return Files.readString(r.plan.volumeDirs().get(volume).resolve(file));
            } catch (IOException e) {
                return null;
            }
        });
    }

    public Path workDir() {
        return workDir;
    }

    private void stopAll() {
        for (String uid : List.copyOf(runners.keySet())) {
            PodRunner r = runners.remove(uid);
            if (r != null) {
                r.close();
            }
        }
        services.values().forEach(e -> e.proxies().forEach(ServiceProxy::close));
        services.clear();
        if (nodes != null) {
            nodes.close();
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        kubelet.shutdownNow();
        statusWriter.shutdownNow();
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
