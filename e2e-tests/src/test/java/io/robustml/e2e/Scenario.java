package io.robustml.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controllers.Labels;
import io.robustml.controllers.RobustModelReconciler;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.ServingImages;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.e2e.harness.DataPlaneHarness;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One scenario's world: the real reconciler run in-process by JOSDK (as in the controllers' cluster
 * tests), the data plane harness running the pods it creates, and the example-style manifest.
 */
final class Scenario implements AutoCloseable {
    static final String MODEL = "fashion-classifier";
    static final Path DATASET = Path.of("/usr/share/datasets/fashion-mnist");

    final KubernetesClient client;
    final String ns;
    final Path repoRoot;
    final DataPlaneHarness harness;
    private Operator operator;

    private Scenario(KubernetesClient client, String ns, Path repoRoot, DataPlaneHarness harness) {
        this.client = client;
        this.ns = ns;
        this.repoRoot = repoRoot;
        this.harness = harness;
    }

    static Scenario start(KubernetesClient client, String ns, Path repoRoot, Path... extraNodePaths) {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        List<Path> nodePaths = new java.util.ArrayList<>(List.of(repoRoot.resolve("model-server/models"), DATASET));
        nodePaths.addAll(List.of(extraNodePaths));
        DataPlaneHarness harness = DataPlaneHarness.start(client, ns, repoRoot,
                repoRoot.resolve("e2e-tests/target/e2e").resolve(ns), nodePaths);
        Scenario s = new Scenario(client, ns, repoRoot, harness);
        s.startOperator();
        return s;
    }

    void startOperator() {
        operator = newOperator();
        try {
            operator.start();
        } catch (io.javaoperatorsdk.operator.OperatorException e) {
            // An informer can start on a connection the API server has just closed (RealNodeTest restarts it):
            // start once more, as the kubelet would restart the operator's pod.
            System.out.println("[e2e] operator start failed (" + e.getMessage() + "), starting it again");
            operator.stop();
            operator = newOperator();
            operator.start();
        }
    }

    private Operator newOperator() {
        Operator o = new Operator(c -> c.withKubernetesClient(client).withCloseClientOnStop(false));
        o.register(new RobustModelReconciler(Clock.systemUTC(), ServingImages.tagged("robustml", "test"),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), c -> c.settingNamespace(ns));
        return o;
    }

    void stopOperator() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    static String sha256(String model) {
        return "robust".equals(model) ? ModelServerProcess.ROBUST_SHA256 : ModelServerProcess.STANDARD_SHA256;
    }

    /** Applies the scenario manifest with model file {@code file} and digest {@code sha}, like kubectl apply --server-side. */
    void apply(Path file, String sha, String maxAsr, int samples) {
        apply(file, sha, maxAsr, samples, m -> { });
    }

    void apply(String model, String maxAsr, int samples, java.util.function.Consumer<RobustModel> edit) {
        apply(ModelServerProcess.modelFile(repoRoot, model), sha256(model), maxAsr, samples, edit);
    }

    /** As above, with {@code edit} applied to the manifest first. */
    void apply(Path file, String sha, String maxAsr, int samples, java.util.function.Consumer<RobustModel> edit) {
        String yaml;
        try {
            yaml = new String(getClass().getResourceAsStream("/scenario-robustmodel.yaml").readAllBytes())
                    .replace("MODEL_URI", "file://" + file.toAbsolutePath().normalize())
                    .replace("MODEL_SHA256", sha).replace("MAX_ASR", maxAsr).replace("SAMPLES", Integer.toString(samples));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RobustModel m = client.getKubernetesSerialization().unmarshal(yaml, RobustModel.class);
        m.getMetadata().setNamespace(ns);
        edit.accept(m);
        client.resource(m).fieldManager("e2e-user").forceConflicts().serverSideApply();
    }

    void apply(String model, String maxAsr, int samples) {
        apply(ModelServerProcess.modelFile(repoRoot, model), sha256(model), maxAsr, samples);
    }

    /**
     * The API-key Secret of {@code spec.detector.authentication.apiKeysSecret} (key clients.json, keys stored as
     * sha256): {@code clients} get the spec's rate limit, {@code unlimited} a limit no test reaches.
     */
    void createClientsSecret(String name, Map<String, String> clients, Map<String, String> unlimited) {
        StringBuilder json = new StringBuilder("{\"clients\": [");
        java.util.function.BiConsumer<Map.Entry<String, String>, String> add = (c, limits) -> json
                .append(json.charAt(json.length() - 1) == '[' ? "" : ", ").append("{\"name\": \"").append(c.getKey())
                .append("\", \"sha256\": \"").append(sha256Hex(c.getValue())).append('"').append(limits).append('}');
        new java.util.TreeMap<>(clients).entrySet().forEach(c -> add.accept(c, ""));
        new java.util.TreeMap<>(unlimited).entrySet().forEach(c -> add.accept(c, ", \"requestsPerMinute\": 1000000, \"burst\": 100000"));
        json.append("]}");
        client.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(name)
                .endMetadata().addToStringData("clients.json", json.toString()).build()).create();
    }

    static String sha256Hex(String key) {
        return sha256Hex(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    RobustModel model() {
        return client.resources(RobustModel.class).inNamespace(ns).withName(MODEL).get();
    }

    RobustModelStatus status() {
        RobustModel m = model();
        return m == null ? null : m.getStatus();
    }

    List<Deployment> servingDeployments() {
        return client.apps().deployments().inNamespace(ns).withLabel(Labels.MODEL, MODEL)
                .withLabel(Labels.COMPONENT, ServingDeployment.COMPONENT).list().getItems();
    }

    AdversarialTestRun run(String name) {
        return client.resources(AdversarialTestRun.class).inNamespace(ns).withName(name).get();
    }

    /** Sends one Fashion-MNIST-shaped input through the model's Service (sidecar, then model server); returns the body. */
    String inferThroughService() throws Exception {
        return Sidecars.inferThroughService(harness.serviceUrl(MODEL, "http") + "/v2/models/" + MODEL + "/infer");
    }

    /**
     * A black-box attacker hammering the model's Service: {@code requests} near-duplicate queries (one
     * image, a little fresh noise each, as Square Attack sends) from 8 threads under its own API key.
     * Returns how many got each HTTP status.
     */
    Map<Integer, Integer> hammer(int requests, String apiKey) throws Exception {
        return Sidecars.hammer(harness.serviceUrl(MODEL, "http") + "/v2/models/" + MODEL + "/infer", requests, apiKey);
    }

    /** The HTTP status of GET /metrics on the model's data port (clients' port): metrics are not served there. */
    int metricsStatusOnDataPort() throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(
                harness.serviceUrl(MODEL, "http") + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The sum of a Prometheus metric's samples carrying {@code label} (e.g. outcome="rate_limited") on the model's Service. */
    double metric(String name, String label) throws Exception {
        String body = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(harness.serviceUrl(MODEL, "metrics")
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return Sidecars.sum(body, name, label);
    }

    /**
     * The phases of one rollout, timed from the spec change by polling the API (100 ms): the canary's pods
     * Ready (the operator starts the analysis), the analysis done (the run's phase), the verdict (in status),
     * the traffic switched (only the surviving revision's Deployment left).
     */
    final class Timeline {
        final Instant specChanged = Instant.now();
        final Map<String, Instant> at = new LinkedHashMap<>();
        /** Whether Ready=True was seen for this revision before its verdict (it must be gated). */
        boolean readyBeforeVerdict;
        private final String revision;

        Timeline(String revision) {
            this.revision = revision;
        }

        void mark(String phase, boolean reached) {
            if (reached) {
                at.putIfAbsent(phase, Instant.now());
            }
        }

        /** Polls until {@code done} holds for the model, marking phases; fails after {@code timeout}. */
        RobustModelStatus awaitOutcome(Duration timeout, Predicate<RobustModelStatus> done) {
            RobustModelStatus[] last = new RobustModelStatus[1];
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertHarnessHealthy();
                RobustModelStatus s = status();
                last[0] = s;
                if (s == null) {
                    return false;
                }
                harness.servingReadyAt(MODEL + "-" + revision + "-").ifPresent(t -> at.putIfAbsent("canary ready", t));
                if (s.analysis != null && revision.equals(s.analysis.revision) && s.analysis.startedAt != null) {
                    mark("analysis started", true);
                    AdversarialTestRun run = run(s.analysis.runName);
                    mark("analysis done", run != null && run.getStatus() != null
                            && ("Succeeded".equals(run.getStatus().phase) || "Failed".equals(run.getStatus().phase)));
                }
                boolean verdict = s.lastAnalysis != null && revision.equals(s.lastAnalysis.revision) && s.lastAnalysis.verdict != null;
                if (!verdict && revision.equals(s.stableRevision) && s.conditions.stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                    readyBeforeVerdict = true;
                }
                if (verdict) {
                    mark("analysis started", true);
                    mark("analysis done", true);
                    mark("verdict", true);
                    List<Deployment> deployments = servingDeployments();
                    String survivor = s.stableRevision;
                    // Only the surviving revision's Deployment, and no pod of another revision left to serve.
                    mark("traffic switched", survivor != null && deployments.size() == 1
                            && deployments.get(0).getMetadata().getName().equals(ServingDeployment.name(model(), survivor))
                            && client.pods().inNamespace(ns).withLabel(Labels.MODEL, MODEL)
                                    .withLabel(Labels.COMPONENT, ServingDeployment.COMPONENT).list().getItems().stream()
                                    .allMatch(p -> survivor.equals(p.getMetadata().getLabels().get(Labels.REVISION))));
                }
                return done.test(s) && at.containsKey("traffic switched");
            });
            return last[0];
        }

        String summary(String scenario) {
            StringBuilder b = new StringBuilder("[e2e] " + scenario + ": spec change");
            Instant prev = specChanged;
            List<Map.Entry<String, Instant>> phases = new java.util.ArrayList<>(at.entrySet());
            phases.sort(Map.Entry.comparingByValue());
            for (var e : phases) {
                b.append(String.format(" -> %s +%.1f s", e.getKey(), Duration.between(prev, e.getValue()).toMillis() / 1000.0));
                prev = e.getValue();
            }
            b.append(String.format(" (total %.1f s)", Duration.between(specChanged, prev).toMillis() / 1000.0));
            RobustModelStatus s = status();
            if (s != null) {
                b.append(String.format("%n[e2e]   status: phase %s, stable %s, canary %s, rejected %s", s.phase, s.stableRevision,
                        s.canaryRevision, s.rejectedRevision));
                s.conditions.forEach(c -> b.append(String.format("%n[e2e]   %s=%s (%s): %s", c.getType(), c.getStatus(),
                        c.getReason(), c.getMessage())));
            }
            return b.toString();
        }
    }

    Timeline timeline(String revision) {
        return new Timeline(revision);
    }

    void assertHarnessHealthy() {
        if (!harness.failures().isEmpty()) {
            throw new AssertionError("the harness could not run pods the operator generated: " + harness.failures());
        }
    }

    static void writeTampered(Path target, Path source) {
        try {
            byte[] bytes = Files.readAllBytes(source);
            bytes[bytes.length / 2] ^= 0x1;
            Files.createDirectories(target.getParent());
            Files.write(target, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopOperator();
        harness.close();
    }
}
