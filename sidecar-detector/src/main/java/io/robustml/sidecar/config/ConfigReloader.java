package io.robustml.sidecar.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Holds the {@link RuntimeConfig} in force and replaces it, without a restart, when detector.json or the
 * clients file changes. Sources: polling the files (content sha256, so Kubernetes' {@code ..data}
 * symlink swap of a ConfigMap volume is just new content) and, when {@code ROBUSTML_DETECTOR_CONFIGMAP}
 * and {@code ROBUSTML_POD_NAMESPACE} are set, a watch of that one ConfigMap (the kubelet refreshes the
 * volume only after up to a minute; the watch takes effect in about a second). Both go through
 * {@link #apply}: validate, then swap; a rejected config leaves the old one in force, is logged, counted
 * and (with the watch) reported as a Warning event on the RobustModel. Until a first valid config
 * arrives the sidecar is not ready and serves no inference.
 */
@ApplicationScoped
public class ConfigReloader {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class);
    public static final String CONFIGMAP_KEY = "detector.json";
    public static final String REJECTED_REASON = "DetectorConfigRejected";

    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Optional<Path> detectorFile;
    private final Path clientsFile;
    private final long pollMs;
    private final Optional<String> configMap;
    private final Optional<String> namespace;
    private final ClientLimits propertyLimits;
    private final AtomicReference<RuntimeConfig> current = new AtomicReference<>();
    private final List<Consumer<RuntimeConfig>> listeners = new CopyOnWriteArrayList<>();
    /** Per source, the sha256 of the content last seen (applied or rejected): each version is judged once. */
    private final Map<String, String> lastSeen = new ConcurrentHashMap<>();
    private final AtomicBoolean polling = new AtomicBoolean();
    /** Read at scrape time (FunctionCounter): counts made while the registry is still being set up are not lost. */
    private final java.util.concurrent.atomic.AtomicLong reloads = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong rejected = new java.util.concurrent.atomic.AtomicLong();
    private volatile String notReadyReason;
    private volatile double appliedAtSeconds;
    private byte[] detectorBytes;
    /** The latest detector.json seen from any source, valid or not: retried when a clients file fixes it. */
    private byte[] latestDetectorBytes;
    private byte[] clientsBytes;
    private Gauge info;
    private KubernetesClient kubernetes;
    private SharedIndexInformer<ConfigMap> informer;
    private volatile OwnerReference owner;

    public ConfigReloader(ObjectMapper json, MeterRegistry registry,
            @ConfigProperty(name = "robustml.detector-config") Optional<String> detectorConfig,
            @ConfigProperty(name = "robustml.detector-config.poll-ms", defaultValue = "1000") long pollMs,
            @ConfigProperty(name = "robustml.api-keys-file", defaultValue = "/etc/robustml/api-keys/clients.json") String apiKeysFile,
            @ConfigProperty(name = "robustml.detector-configmap") Optional<String> configMap,
            @ConfigProperty(name = "robustml.pod-namespace") Optional<String> namespace,
            @ConfigProperty(name = "robustml.rate-limit.requests-per-minute", defaultValue = "0") int requestsPerMinute,
            @ConfigProperty(name = "robustml.rate-limit.burst", defaultValue = "0") int burst) {
        this.json = json;
        this.registry = registry;
        this.detectorFile = detectorConfig.filter(p -> !p.isBlank()).map(Path::of);
        this.clientsFile = Path.of(apiKeysFile);
        this.pollMs = Math.max(50, pollMs);
        this.configMap = configMap.filter(s -> !s.isBlank());
        this.namespace = namespace.filter(s -> !s.isBlank());
        this.propertyLimits = ClientLimits.of(requestsPerMinute, burst, 0);
        FunctionCounter.builder("robustml_sidecar_config_reloads_total", reloads, java.util.concurrent.atomic.AtomicLong::get)
                .description("Detector configs applied (the first one included)").register(registry);
        FunctionCounter.builder("robustml_sidecar_config_rejected_total", rejected, java.util.concurrent.atomic.AtomicLong::get)
                .description("Detector configs or clients files rejected as malformed or invalid; the previous one stayed")
                .register(registry);
        Gauge.builder("robustml_sidecar_config_applied_timestamp_seconds", this, r -> r.appliedAtSeconds)
                .description("When the config in force was applied (epoch seconds)").register(registry);
        clientsBytes = read(clientsFile).orElse(null);
        lastSeen.put("clients", hash(clientsBytes));
        if (detectorFile.isEmpty() && !watching()) {
            install(RuntimeConfig.withoutDetectorConfig(propertyLimits), "defaults", null);
        } else if (detectorFile.isPresent()) {
            pollDetectorFile();
        }
        if (current.get() == null && notReadyReason == null) {
            notReadyReason = "waiting for the detector config from ConfigMap " + configMap.orElse("?");
        }
    }

    /** The config in force, or null while no valid one has arrived (the sidecar is then not ready). */
    public RuntimeConfig current() {
        return current.get();
    }

    /** Why there is no config in force yet; null once there is one. */
    public String notReadyReason() {
        return current.get() == null ? notReadyReason : null;
    }

    /** Called with each config applied (and at once with the current one). */
    public void onApplied(Consumer<RuntimeConfig> listener) {
        listeners.add(listener);
        RuntimeConfig c = current.get();
        if (c != null) {
            listener.accept(c);
        }
    }

    public boolean watching() {
        return configMap.isPresent() && namespace.isPresent();
    }

    void start(@Observes StartupEvent started, Vertx vertx) {
        vertx.setPeriodic(pollMs, id -> {
            if (polling.compareAndSet(false, true)) {
                vertx.executeBlocking(() -> {
                    try {
                        pollFiles();
                    } finally {
                        polling.set(false);
                    }
                    return null;
                }, false);
            }
        });
        if (watching()) {
            startWatch();
        }
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (informer != null) {
            informer.close();
        }
        if (kubernetes != null) {
            kubernetes.close();
        }
    }

    /** One polling round: the clients file, then detector.json. Public for tests that do not want to wait. */
    public synchronized void pollFiles() {
        Optional<byte[]> clients = read(clientsFile);
        String clientsHash = hash(clients.orElse(null));
        if (!clientsHash.equals(lastSeen.get("clients"))) {
            lastSeen.put("clients", clientsHash);
            applyClients(clients.orElse(null));
        }
        if (detectorFile.isPresent()) {
            pollDetectorFile();
        }
    }

    private void pollDetectorFile() {
        Optional<byte[]> content = read(detectorFile.get());
        if (content.isEmpty()) {
            if (current.get() == null) {
                notReadyReason = "the detector config " + detectorFile.get() + " is not readable yet";
            }
            return;
        }
        String h = hash(content.get());
        if (!h.equals(lastSeen.put("file", h))) {
            apply("file " + detectorFile.get(), content.get());
        }
    }

    /** A new detector.json from {@code source}: validated, then swapped in; or rejected, the old one kept. */
    public synchronized boolean apply(String source, byte[] detectorJson) {
        latestDetectorBytes = detectorJson;
        RuntimeConfig c;
        try {
            c = RuntimeConfig.parse(json, detectorJson, clientsBytes, propertyLimits);
        } catch (IllegalArgumentException e) {
            reject(source, e.getMessage(), detectorJson);
            return false;
        }
        RuntimeConfig old = current.get();
        if (old != null && old.sha256().equals(c.sha256())) {
            return true; // the same config from the other source
        }
        install(c, source, detectorJson);
        return true;
    }

    private synchronized void applyClients(byte[] clients) {
        if (detectorBytes == null) { // no config in force yet: retry the latest detector.json with these clients
            clientsBytes = clients;
            if (latestDetectorBytes != null) {
                apply("clients file " + clientsFile, latestDetectorBytes);
            }
            return;
        }
        try {
            RuntimeConfig c = RuntimeConfig.parse(json, detectorBytes, clients, propertyLimits);
            clientsBytes = clients;
            install(c, "clients file " + clientsFile, detectorBytes);
        } catch (IllegalArgumentException e) {
            reject("clients file " + clientsFile, e.getMessage(), detectorBytes);
        }
    }

    private void install(RuntimeConfig c, String source, byte[] detectorJson) {
        RuntimeConfig old = current.getAndSet(c);
        detectorBytes = detectorJson;
        notReadyReason = null;
        appliedAtSeconds = System.currentTimeMillis() / 1000.0;
        reloads.incrementAndGet();
        if (info == null || old == null || !old.shortSha().equals(c.shortSha())) {
            if (info != null) {
                registry.remove(info);
            }
            info = Gauge.builder("robustml_sidecar_config_info", () -> 1).tag("sha256", c.shortSha())
                    .description("The detector config in force (first 12 hex digits of its sha256)").register(registry);
        }
        LOG.infof("detector config %s applied from %s: action %s, methods %s, %d blocked clients, authentication %s, %d API clients",
                c.shortSha().isEmpty() ? "(none)" : c.shortSha(), source, c.detector().action(), methods(c),
                c.blockedClients().size(), c.authentication().present() ? (c.authentication().apiKeys() ? "apiKeys" : "sourceAddress")
                        : "off (source address)", c.clients().size());
        if (c.detector().featureSqueezing() && c.detector().squeezingThreshold() == null) {
            LOG.warn("featureSqueezing has no threshold yet (only a target false-positive rate): scores are measured, "
                    + "nothing is flagged; calibrate and set spec.detector.featureSqueezing.threshold");
        }
        if (c.authentication().apiKeys() && c.clients().size() == 0) {
            LOG.warnf("authentication.apiKeys is on but the clients file %s names no client: only the tester's key is known",
                    clientsFile);
        }
        for (Consumer<RuntimeConfig> l : listeners) {
            l.accept(c);
        }
    }

    private static String methods(RuntimeConfig c) {
        List<String> m = new java.util.ArrayList<>();
        if (c.detector().featureSqueezing()) {
            m.add("featureSqueezing");
        }
        if (c.detector().querySimilarity()) {
            m.add("querySimilarity");
        }
        if (c.detector().extraction()) {
            m.add("extraction");
        }
        return m.toString();
    }

    private void reject(String source, String reason, byte[] content) {
        rejected.incrementAndGet();
        RuntimeConfig old = current.get();
        LOG.errorf("detector config from %s rejected, %s: %s", source,
                old == null ? "no config in force yet (not ready)" : "keeping " + old.shortSha(), reason);
        if (old == null) {
            notReadyReason = "the detector config was rejected: " + reason;
        }
        if (kubernetes != null) {
            String model = modelName(content, old);
            String message = "detector config from " + source + " rejected, the previous one stays in force: " + reason;
            Thread t = new Thread(() -> event(model, message), "detector-config-event"); // never block on the API server
            t.setDaemon(true);
            t.start();
        }
    }

    /** The RobustModel: the ConfigMap's owner, else detector.json's "model", else the config in force's. */
    private String modelName(byte[] content, RuntimeConfig old) {
        OwnerReference o = owner;
        if (o != null) {
            return o.getName();
        }
        try {
            String m = json.readTree(content).path("model").asText("");
            if (!m.isBlank()) {
                return m;
            }
        } catch (IOException | RuntimeException ignored) {
            // malformed: fall through
        }
        return old != null ? old.model() : configMap.orElse("unknown");
    }

    private void event(String model, String message) {
        try {
            String now = Instant.now().toString();
            String text = message.length() > 1000 ? message.substring(0, 1000) + "…" : message;
            kubernetes.v1().events().inNamespace(namespace.get()).resource(new EventBuilder()
                    .withNewMetadata().withName(model + "." + Long.toHexString(System.nanoTime()) + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xffff))
                    .withNamespace(namespace.get()).endMetadata()
                    .withNewInvolvedObject().withApiVersion("robustml.io/v1").withKind("RobustModel").withName(model)
                    .withNamespace(namespace.get()).withUid(owner != null ? owner.getUid() : null).endInvolvedObject()
                    .withType("Warning").withReason(REJECTED_REASON).withMessage(text)
                    .withNewSource().withComponent("robustml-sidecar-detector").withHost(System.getenv("HOSTNAME")).endSource()
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not record the %s event on RobustModel %s: %s", REJECTED_REASON, model, e.getMessage());
        }
    }

    private void startWatch() {
        try {
            kubernetes = new KubernetesClientBuilder().build(); // in-cluster service account, or KUBECONFIG
            informer = kubernetes.configMaps().inNamespace(namespace.get()).withName(configMap.get()).runnableInformer(0);
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(ConfigMap cm) {
                    fromConfigMap(cm);
                }

                @Override
                public void onUpdate(ConfigMap old, ConfigMap cm) {
                    fromConfigMap(cm);
                }

                @Override
                public void onDelete(ConfigMap cm, boolean unknownFinalState) {
                    LOG.warnf("ConfigMap %s/%s deleted: the detector config in force stays", namespace.get(), configMap.get());
                }
            });
            informer.start().whenComplete((ok, err) -> {
                if (err != null) {
                    LOG.errorf("watch of ConfigMap %s/%s failed to start (file polling goes on): %s", namespace.get(),
                            configMap.get(), err.getMessage());
                } else {
                    LOG.infof("watching ConfigMap %s/%s for detector config changes", namespace.get(), configMap.get());
                }
            });
        } catch (RuntimeException e) {
            LOG.errorf("cannot watch ConfigMap %s/%s (file polling goes on): %s", namespace.orElse(""), configMap.orElse(""),
                    e.getMessage());
        }
    }

    private void fromConfigMap(ConfigMap cm) {
        owner = cm.getMetadata().getOwnerReferences() == null ? null : cm.getMetadata().getOwnerReferences().stream()
                .filter(r -> "RobustModel".equals(r.getKind())).findFirst().orElse(null);
        String content = cm.getData() == null ? null : cm.getData().get(CONFIGMAP_KEY);
        String source = "ConfigMap " + namespace.get() + "/" + configMap.get();
        if (content == null) {
            String h = "missing";
            if (!h.equals(lastSeen.put("configmap", h))) {
                reject(source, "the ConfigMap has no key " + CONFIGMAP_KEY, new byte[0]);
            }
            return;
        }
        byte[] bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String h = hash(bytes);
        if (!h.equals(lastSeen.put("configmap", h))) {
            apply(source, bytes);
        }
    }

    private static Optional<byte[]> read(Path p) {
        try {
            return Optional.of(Files.readAllBytes(p)); // follows ..data symlinks at each read
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.debugf("cannot read %s: %s", p, e.getMessage());
            return Optional.empty();
        }
    }

    private static String hash(byte[] content) {
        return content == null ? "absent" : Clients.sha256Hex(content);
    }
}
