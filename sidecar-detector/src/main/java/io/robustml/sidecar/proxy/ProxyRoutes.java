package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.ErrorResponse;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.RequestLimits;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.FingerprintTable;
import io.robustml.oip.similarity.Fingerprints;
import io.robustml.sidecar.config.BlockedClient;
import io.robustml.sidecar.config.ClientLimits;
import io.robustml.sidecar.config.ConfigReloader;
import io.robustml.sidecar.config.RuntimeConfig;
import io.robustml.sidecar.config.SourceAddress;
import io.robustml.sidecar.detect.DetectorSettings;
import io.robustml.sidecar.detect.ExtractionDetector;
import io.robustml.sidecar.detect.FeatureSqueezingDetector;
import io.robustml.sidecar.detect.ForensicLog;
import io.robustml.sidecar.detect.ForensicSampler;
import io.robustml.sidecar.detect.InputRows;
import io.robustml.sidecar.detect.Prada;
import io.robustml.sidecar.detect.QuerySimilarityDetector;
import io.robustml.sidecar.detect.RedisFingerprintStore;
import io.robustml.sidecar.detect.SqueezingInspection;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The sidecar's HTTP face: an Open Inference Protocol v2 reverse proxy in front of the model server.
 * Health answers for the pair; inference requests are checked (JSON, size, rate) before they reach
 * the model server; an unreachable or slow upstream is a 503 with a JSON error, never a hang.
 */
@ApplicationScoped
public class ProxyRoutes {
    private static final Logger LOG = Logger.getLogger(ProxyRoutes.class);
    /** One 0/1 per input row, for callers whose API key may see verdicts (the tester). */
    public static final String FLAGGED_HEADER = "X-RobustML-Flagged";
    private static final String RECEIVED = "robustml.received";
    /** Set on a request of the analysis' own key. */
    private static final String ANALYSIS = "robustml.analysis";

    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final HttpClient upstream;
    private final long timeoutMs;
    private final long maxBodyBytes;
    private final ConfigReloader configs;
    private final ClientLimiter limiter = new ClientLimiter(100_000);
    /** The shared store's counters for limits and quotas across replicas (null: per replica). */
    private final ClientLimiter.SharedCounters sharedCounters;
    private final io.micrometer.core.instrument.Counter limitStoreErrors;
    private final Timer upstreamLatency;
    private final Set<String> verdictKeySha256s;
    private final int maxUpstreamRows;
    private final QuerySimilarityDetector similarity;
    private final FeatureSqueezingDetector squeezing;
    private final ExtractionDetector extraction;
    private final Timer addedLatency;
    private final java.util.concurrent.atomic.AtomicInteger pendingInspections = new java.util.concurrent.atomic.AtomicInteger();
    /** Answered requests whose squeezed copies could not be scored (the copies' call failed). */
    private final io.micrometer.core.instrument.Counter squeezingSkipped;
    private final Optional<ForensicLog> forensicLog;
    private final ForensicRecorder forensics;
    private final Vertx vertx;
    private final Optional<String> fallbackUrl;
    /** Fallback services by address: a reload may name another one. */
    private final java.util.Map<String, HttpClient> fallbackClients = new java.util.concurrent.ConcurrentHashMap<>();
    /** Requests by outcome (a registry lookup per request costs more than the counting). */
    private final java.util.Map<String, io.micrometer.core.instrument.Counter> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, io.micrometer.core.instrument.Counter> analysisOutcomes =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Inference requests that reached the detectors, by whether they were inspected (inspected/total). */
    private final java.util.Map<Boolean, io.micrometer.core.instrument.Counter> inspected;

    public ProxyRoutes(Vertx vertx, ObjectMapper json, MeterRegistry registry, ConfigReloader configs,
            @ConfigProperty(name = "robustml.upstream", defaultValue = "http://127.0.0.1:8081") String upstreamUrl,
            @ConfigProperty(name = "robustml.upstream-timeout-ms", defaultValue = "10000") long timeoutMs,
            @ConfigProperty(name = RequestLimits.MAX_BODY_BYTES_PROPERTY, defaultValue = RequestLimits.DEFAULT_MAX_BODY_BYTES)
            long maxBodyBytes,
            @ConfigProperty(name = "robustml.detector-config") Optional<String> detectorConfig,
            @ConfigProperty(name = "robustml.verdict-api-keys") Optional<List<String>> verdictKeys,
            @ConfigProperty(name = "robustml.max-upstream-rows", defaultValue = RequestLimits.DEFAULT_MAX_BATCH) int maxUpstreamRows,
            @ConfigProperty(name = "robustml.fingerprints.capacity", defaultValue = "100000") int fingerprintCapacity,
            @ConfigProperty(name = "robustml.fingerprints.ttl-seconds", defaultValue = "86400") long fingerprintTtlSeconds,
            @ConfigProperty(name = "robustml.extraction.max-clients", defaultValue = "10000") int pradaClients,
            @ConfigProperty(name = "robustml.extraction.max-stored-values", defaultValue = "16777216") long pradaValues,
            @ConfigProperty(name = "robustml.extraction.max-growing-rows", defaultValue = "1000") int pradaRows,
            @ConfigProperty(name = "robustml.extraction.ttl-seconds", defaultValue = "86400") long pradaTtlSeconds,
            @ConfigProperty(name = "robustml.forensic-log.dir") Optional<String> forensicDir,
            @ConfigProperty(name = "robustml.forensic-log.max-bytes", defaultValue = "268435456") long forensicMaxBytes,
            @ConfigProperty(name = "robustml.forensic-log.fsync", defaultValue = "false") boolean forensicFsync,
            @ConfigProperty(name = "robustml.forensic-log.rows-per-client-minute", defaultValue = "60") int forensicPerMinute,
            @ConfigProperty(name = "robustml.forensic-log.sample-every", defaultValue = "100") int forensicSampleEvery,
            @ConfigProperty(name = "robustml.model-revision") Optional<String> modelRevision,
            @ConfigProperty(name = "robustml.fallback.url") Optional<String> fallbackUrl,
            @ConfigProperty(name = "robustml.fingerprints.redis") Optional<String> redisUrl,
            @ConfigProperty(name = "robustml.fingerprints.redis-namespace") Optional<String> redisNamespace,
            @ConfigProperty(name = "robustml.fingerprints.redis-timeout-ms", defaultValue = "250") int redisTimeoutMs) {
        this.json = json;
        this.registry = registry;
        this.timeoutMs = timeoutMs;
        this.maxBodyBytes = maxBodyBytes;
        URI uri = URI.create(upstreamUrl);
        this.upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort()).setConnectTimeout(2000).setKeepAlive(true));
        this.configs = configs;
        this.vertx = vertx;
        this.inspected = java.util.Map.of(true, inspectedCounter(registry, true), false, inspectedCounter(registry, false));
        this.fallbackUrl = fallbackUrl;
        this.upstreamLatency = Timer.builder("robustml_sidecar_upstream_seconds")
                .description("Time the model server took to answer").publishPercentileHistogram().register(registry);
        this.verdictKeySha256s = verdictKeys.orElse(List.of()).stream().map(io.robustml.sidecar.config.Clients::sha256Hex)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.maxUpstreamRows = maxUpstreamRows;
        FingerprintTable fingerprints = redisUrl.filter(u -> !u.isBlank())
                .<FingerprintTable>map(u -> {
                    String namespace = redisNamespace.orElse(configs.current() != null ? configs.current().model()
                            : modelName(json, detectorConfig));
                    RedisFingerprintStore store = new RedisFingerprintStore(vertx, u, redisTimeoutMs, namespace, fingerprintCapacity,
                            fingerprintTtlSeconds * 1000, Fingerprints.BUCKET_CAP, 16);
                    LOG.infof("query-similarity fingerprints and limit counters in Redis %s, shared by every replica of '%s'",
                            store.location(), namespace);
                    return store;
                })
                .orElseGet(() -> new FingerprintStore(fingerprintCapacity, fingerprintTtlSeconds * 1_000_000_000L, Fingerprints.BUCKET_CAP));
        this.similarity = new QuerySimilarityDetector(fingerprints, registry);
        this.squeezing = new FeatureSqueezingDetector(registry);
        this.squeezingSkipped = io.micrometer.core.instrument.Counter.builder("robustml_sidecar_squeezing_skipped_total")
                .description("Answered requests whose squeezed copies could not be scored (the copies' call failed)")
                .register(registry);
        this.sharedCounters = fingerprints instanceof RedisFingerprintStore redis ? redis::increment : null;
        this.limitStoreErrors = io.micrometer.core.instrument.Counter.builder("robustml_sidecar_limit_store_errors_total")
                .description("Shared (Redis) rate-limit and quota counts that failed; the replica's own counts decided")
                .register(registry);
        this.addedLatency = Timer.builder("robustml_sidecar_added_latency_seconds")
                .description("Time an inference request spent in the sidecar, upstream time excluded")
                .publishPercentileHistogram().register(registry);
        Prada prada = new Prada(io.robustml.oip.detector.DetectorConfig.Extraction.DEFAULT_DELTA, pradaClients, pradaTtlSeconds * 1_000_000_000L,
                pradaValues, pradaRows, 500);
        this.extraction = new ExtractionDetector(prada, registry);
        this.forensicLog = forensicLog(forensicDir, forensicMaxBytes, forensicFsync);
        this.forensics = new ForensicRecorder(json, registry, forensicLog, new ForensicSampler(forensicPerMinute,
                forensicSampleEvery, 100_000), modelRevision);
        // Settings held by stateful detectors follow each reload; their state (histories, files) stays.
        configs.onApplied(c -> {
            prada.delta(c.detector().extractionDelta());
            forensicLog.ifPresent(log -> log.retentionMillis(c.detector().forensicRetentionSeconds() * 1000));
        });
        io.micrometer.core.instrument.Gauge.builder("robustml_sidecar_inspections_pending", pendingInspections,
                java.util.concurrent.atomic.AtomicInteger::get)
                .description("Answered requests still being inspected (action flag inspects after answering)").register(registry);
        io.micrometer.core.instrument.Gauge.builder("robustml_sidecar_limited_clients", limiter, ClientLimiter::clients)
                .description("Clients whose rate-limit and quota state this replica holds").register(registry);
    }

    private Optional<ForensicLog> forensicLog(Optional<String> dir, long maxBytes, boolean fsync) {
        if (dir.isEmpty() || dir.get().isBlank()) {
            return Optional.empty();
        }
        try { // spec.detector.forensicLog.enabled is checked per record: a reload may turn it on or off
            ForensicLog log = new ForensicLog(Path.of(dir.get()), maxBytes, io.robustml.oip.detector.DetectorConfig.ForensicLog.DEFAULT.retentionSeconds() * 1000,
                    fsync);
            return Optional.of(log); // pruned once the config (and so the retention) is known: see pruneForensicLog
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot use the forensic log directory " + dir.get(), e);
        }
    }

    private static io.micrometer.core.instrument.Counter inspectedCounter(MeterRegistry registry, boolean value) {
        return io.micrometer.core.instrument.Counter.builder("robustml_sidecar_inspected_requests_total")
                .description("Inference requests past the gate, by whether a detector inspected them")
                .tag("inspected", Boolean.toString(value)).register(registry);
    }

    /** The fallback service: robustml.fallback.url when set, else http://<service>:<port> in the namespace. */
    private HttpClient fallbackClient(DetectorSettings detector) {
        if (detector.fallback() == null || detector.fallback().abstains()) {
            return null;
        }
        String address = fallbackUrl.orElse("http://" + detector.fallback().service().name() + ":" + detector.fallback().service().port());
        return fallbackClients.computeIfAbsent(address, a -> {
            URI uri = URI.create(a);
            return vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort())
                    .setConnectTimeout(2000).setKeepAlive(true));
        });
    }

    /** Deletes forensic files past their retention even when nothing new is flagged. */
    void pruneForensicLog(@Observes io.quarkus.runtime.StartupEvent started, Vertx vertx) {
        if (forensicLog.isPresent() && configs.current() != null) { // the retention in force is known
            try {
                forensicLog.get().prune(System.currentTimeMillis());
            } catch (java.io.IOException e) {
                LOG.warnf("cannot prune the forensic log directory: %s", e.getMessage());
            }
        }
        forensicLog.ifPresent(log -> vertx.setPeriodic(600_000, id -> vertx.executeBlocking(() -> {
            if (configs.current() != null) {
                log.prune(System.currentTimeMillis());
            }
            return null;
        }, false)));
    }

    /** detector.json's "model" (the RobustModel's name), which names the shared fingerprint table; lenient. */
    static String modelName(ObjectMapper json, Optional<String> detectorConfig) {
        if (detectorConfig.isPresent() && Files.isReadable(Path.of(detectorConfig.get()))) {
            try {
                return io.robustml.oip.detector.DetectorConfig.read(json, Files.readAllBytes(Path.of(detectorConfig.get()))).model();
            } catch (java.io.IOException | IllegalArgumentException e) {
                return "default"; // not valid yet: the reloader says so and keeps the sidecar not ready
            }
        }
        return "default";
    }

    void routes(@Observes Router router) {
        router.get("/v2/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end("{\"live\":true}"));
        // Ready only with a valid detector config in force: never serve uninspected.
        router.get("/v2/health/ready").handler(ctx -> {
            String why = configs.notReadyReason();
            if (why != null) {
                error(ctx, 503, "not ready: " + why); // probes are not requests: not counted
            } else {
                forward(ctx, null, null);
            }
        });
        BodyReader body = new BodyReader(maxBodyBytes);
        router.post("/v2/models/:name/infer").handler(body).handler(this::infer).failureHandler(this::failed);
        router.post("/v2/models/:name/versions/:version/infer").handler(body).handler(this::infer).failureHandler(this::failed);
        router.get("/v2/health/*").handler(ctx -> forward(ctx, null, null)); // probes: never gated
        router.get("/v2*").handler(ctx -> { // metadata: blocked clients and unknown keys get nothing either
            RuntimeConfig cfg = configs.current();
            if (cfg == null) {
                reject(ctx, 503, "not_ready", "not ready: " + configs.notReadyReason());
            } else if (admits(ctx, cfg) != null) {
                forward(ctx, null, null);
            }
        });
        // Anything else under /v2 (a POST elsewhere, an empty model name): a JSON 404, like the protocol's errors.
        router.route("/v2*").handler(ctx -> reject(ctx, 404, "client_error", "no such endpoint: " + ctx.request().method()
                + " " + ctx.request().path()));
    }

    /**
     * The gate: blocked clients (403) and identity (401) before anything is parsed; then the body is read
     * and the client's rate limit and daily quota are charged its rows (429; 413 for a batch larger than it
     * may ever send). The analysis' own key is exempt from limits: it must measure the model, not its
     * limits. Limits shared through Redis are counted off the event loop.
     */
    private void infer(RoutingContext ctx) {
        ctx.put(RECEIVED, System.nanoTime());
        RuntimeConfig cfg = configs.current();
        if (cfg == null) {
            reject(ctx, 503, "not_ready", "not ready: " + configs.notReadyReason());
            return;
        }
        ClientIdentity.Identity id = admits(ctx, cfg);
        if (id == null) {
            return;
        }
        ctx.put(ANALYSIS, id.analysis());
        DetectorSettings detector = cfg.detector();
        JsonNode request = null;
        RequestHead head = null;
        if (detector.inspects() && !detector.hardening().changesAnything() && answersFirst(detector, id)) {
            head = inspectableHead(ctx, detector); // the data is read after the answer has gone back
            if (head == null) {
                return;
            }
        } else if (detector.inspects() || detector.hardening().changesAnything()) {
            request = readRequest(ctx);
            if (request == null) {
                return;
            }
        } // else nothing reads the body: it is forwarded as it came, the model server validates it
        JsonNode parsed = request;
        RequestHead checked = head;
        ClientLimits limits = id.analysis() ? ClientLimits.NONE : id.limits();
        if (!limits.limitsRate() && !limits.hasQuota()) {
            admitted(ctx, cfg, id, parsed, checked, ClientLimiter.ALLOWED);
            return;
        }
        // A request costs its rows: shape[0], read by a streaming parser that skips the data.
        long rows = head != null ? head.rows()
                : WireFormat.batchRows(json, BodyReader.body(ctx).getBytes(), ctx.request().getHeader(BinaryTensors.HEADER));
        if (sharedCounters != null) {
            ctx.vertx().executeBlocking(() -> {
                try {
                    return ClientLimiter.tryAcquireShared(sharedCounters, id.name(), limits, rows, System.currentTimeMillis());
                } catch (RuntimeException e) { // the shared store down: this replica's own counts decide, or fail closed
                    limitStoreErrors.increment();
                    LOG.debugf("shared limit store failed: %s", e.getMessage());
                    return cfg.detector().storeFailsClosed() ? null
                            : limiter.tryAcquire(id.name(), limits, rows, System.nanoTime(), System.currentTimeMillis());
                }
            }, false).onComplete(done -> {
                if (done.succeeded() && done.result() == null) {
                    refuseWithoutStore(ctx);
                    return;
                }
                admitted(ctx, cfg, id, parsed, checked, done.succeeded() ? done.result()
                        : limiter.tryAcquire(id.name(), limits, rows, System.nanoTime(), System.currentTimeMillis()));
            });
            return;
        }
        admitted(ctx, cfg, id, parsed, checked,
                limiter.tryAcquire(id.name(), limits, rows, System.nanoTime(), System.currentTimeMillis()));
    }

    /**
     * Action flag for a client that sees no verdicts: the verdicts change nothing it gets, so it gets the
     * model's answer first. A store that fails closed, block and fallback decide before the answer.
     */
    private boolean answersFirst(DetectorSettings detector, ClientIdentity.Identity id) {
        return !id.verdicts() && !detector.blocks() && !detector.fallsBack() && !(detector.storeFailsClosed() && similarity.remote());
    }

    /**
     * For a request answered before it is inspected: what the detectors will refuse to read (400) and a
     * batch too large to squeeze (413) are answered before the model sees it, from the request's head
     * alone; null when answered.
     */
    private RequestHead inspectableHead(RoutingContext ctx, DetectorSettings detector) {
        RequestHead head = WireFormat.head(json, BodyReader.body(ctx).getBytes(), ctx.request().getHeader(BinaryTensors.HEADER));
        if (head == null) { // not a JSON object with inputs: say exactly what is wrong with it
            if (readRequest(ctx) == null) {
                return null;
            }
            head = new RequestHead(0, null, null, null);
        }
        try {
            InputRows.requireInspectable(head.inputs(), head.name(), head.datatype(), head.shape());
        } catch (InvalidTensorException e) {
            reject(ctx, 400, "client_error", e.getMessage());
            return null;
        }
        return tooLargeToSqueeze(ctx, head.shape(), detector) ? null : head;
    }

    /** Feature squeezing sends the rows' copies upstream too: a batch whose copies exceed what it takes is a 413. */
    private boolean tooLargeToSqueeze(RoutingContext ctx, long[] shape, DetectorSettings detector) {
        long upstreamRows = detector.featureSqueezing() ? shape[0] * SqueezingInspection.copies(shape, detector) : 0;
        if (upstreamRows > maxUpstreamRows) {
            reject(ctx, 413, "client_error", "batch of " + shape[0] + " rows is too large to inspect: "
                    + "feature squeezing sends " + upstreamRows + " rows upstream, at most " + maxUpstreamRows);
            return true;
        }
        return false;
    }

    /** The body as a JSON object (the binary extension's framing and sizes checked); null when answered with a 400. */
    private JsonNode readRequest(RoutingContext ctx) {
        try {
            JsonNode request = WireFormat.readRequest(json, BodyReader.body(ctx).getBytes(),
                    ctx.request().getHeader(BinaryTensors.HEADER));
            if (request == null || !request.isObject()) {
                reject(ctx, 400, "client_error", "the request body must be a JSON object");
                return null;
            }
            return request;
        } catch (InvalidTensorException e) {
            reject(ctx, 400, "client_error", e.getMessage());
        } catch (java.io.IOException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            reject(ctx, 400, "client_error", "malformed JSON: " + message.lines().findFirst().orElse(""));
        }
        return null;
    }

    /** Blocked clients (403) and identity (401); the client's identity when admitted, else null (answered). */
    private ClientIdentity.Identity admits(RoutingContext ctx, RuntimeConfig cfg) {
        String peer = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
        String source = SourceAddress.resolve(peer, ctx.request().getHeader(ClientIdentity.FORWARDED_FOR_HEADER),
                cfg.authentication().trustedProxies());
        ClientIdentity.Identity id = ClientIdentity.resolve(cfg, ctx.request().getHeader(ClientIdentity.API_KEY_HEADER), source,
                verdictKeySha256s);
        BlockedClient blocked = cfg.blocked(id.verified() ? id.name() : null, source);
        if (blocked != null) {
            reject(ctx, 403, "blocked_client", "client blocked" + (blocked.reason().isBlank() ? "" : ": " + blocked.reason()));
            return null;
        }
        if (id.denied() != null) {
            ctx.response().putHeader("WWW-Authenticate", "ApiKey");
            reject(ctx, 401, "unauthorized", id.denied());
            return null;
        }
        return id;
    }

    /** After the limits: {@code request} is the parsed body, or null when nothing needs it parsed. */
    private void admitted(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, JsonNode request, RequestHead head,
            ClientLimiter.Decision decision) {
        if (decision instanceof ClientLimiter.BatchTooLarge b) {
            reject(ctx, 413, "rate_limited", "a batch of " + b.rows() + " rows is more than this client may send at once ("
                    + b.allowed() + " rows); send smaller batches");
            return;
        }
        if (decision instanceof ClientLimiter.RateLimited r) {
            ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
            reject(ctx, 429, "rate_limited", "rate limit exceeded; retry after " + r.retryAfterSeconds() + " s");
            return;
        }
        if (decision instanceof ClientLimiter.QuotaExhausted q) {
            ctx.response().putHeader("Retry-After", Long.toString(q.retryAfterSeconds()));
            reject(ctx, 429, "quota_exhausted", "daily quota of " + q.quota() + " rows exhausted; it resets at 00:00 UTC (in "
                    + q.retryAfterSeconds() + " s)");
            return;
        }
        if (head != null) {
            answerThenInspect(ctx, cfg, id);
            return;
        }
        if (request == null) { // no detector, no hardening: the bytes go through untouched
            inspected.get(false).increment();
            forward(ctx, BodyReader.body(ctx), ctx.request().getHeader(BinaryTensors.HEADER));
            return;
        }
        inspect(ctx, cfg, id, request);
    }

    private void inspect(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, JsonNode request) {
        DetectorSettings detector = cfg.detector();
        Buffer body = BodyReader.body(ctx);
        InputRows rows = null;
        if (detector.inspects()) {
            try {
                rows = InputRows.of(json, request).orElse(null);
            } catch (InvalidTensorException e) {
                reject(ctx, 400, "client_error", e.getMessage());
                return;
            }
        }
        inspected.get(rows != null).increment();
        Inspection in = new Inspection(ctx, cfg, id, request, body, ctx.request().getHeader(BinaryTensors.HEADER), rows);
        boolean squeezes = rows != null && detector.featureSqueezing();
        if (squeezes && tooLargeToSqueeze(ctx, rows.shape(), detector)) {
            return;
        }
        if (rows != null && answersFirst(detector, id)) {
            answerHardenedThenInspect(in, squeezes); // action flag with output hardening
        } else if (rows == null || !detector.querySimilarity()) {
            upstream(in, squeezes ? squeezing.prepare(request, rows, detector) : null);
        } else {
            findSimilar(in, found -> {
                if (found != null && found.storeFailed() && detector.storeFailsClosed()) {
                    refuseWithoutStore(ctx);
                    return;
                }
                if (found != null) {
                    in.add(found);
                }
                upstream(in, squeezes ? squeezing.prepare(request, in.rows, detector) : null);
            });
        }
    }

    /** Query similarity on the request's rows (off the event loop with Redis), then {@code then} with it; null if it failed. */
    private void findSimilar(Inspection in, java.util.function.Consumer<QuerySimilarityDetector.Result> then) {
        if (!similarity.remote()) {
            then.accept(similarity.inspect(in.rows, in.detector));
            return;
        }
        in.ctx.vertx().<QuerySimilarityDetector.Result>executeBlocking(() -> similarity.inspect(in.rows, in.detector), false)
                .onComplete(done -> then.accept(done.succeeded() ? done.result() : null));
    }

    /** sharedStore.onFailure closed, and the shared store did not answer. */
    private void refuseWithoutStore(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", "1");
        reject(ctx, 503, "store_unavailable", "the shared detector store is not answering and this model fails closed; retry later");
    }

    /** After query similarity: act on its verdict, or ask the model server (with the squeezed copies). */
    private void upstream(Inspection in, SqueezingInspection squeezed) {
        RoutingContext ctx = in.ctx;
        if (in.any() && !in.analysis && (in.detector.blocks() || in.detector.fallsBack())) {
            act(in, null); // block or fall back before the model sees the input
            return;
        }
        if (in.rows == null && !in.detector.hardening().changesAnything()) {
            forward(ctx, in.body, in.headerLength);
            return;
        }
        // The caller's own body (binary or JSON, its output choices intact) unless squeezing adds rows; the
        // answer is read whichever format it comes in and written back in the format the caller asked for.
        Buffer upstreamBody = in.body;
        String upstreamHeader = in.headerLength;
        if (squeezed != null) {
            try {
                WireFormat.Body augmented = WireFormat.writeRequest(json, squeezed.augmentedRequest());
                upstreamBody = Buffer.buffer(augmented.bytes());
                upstreamHeader = augmented.headerLength();
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) { // e.g. "id": {}
                reject(ctx, 400, "client_error", "not an inference request: " + e.getMessage().lines().findFirst().orElse(""));
                return;
            }
        }
        askModel(in, upstreamBody, upstreamHeader, (reply, modelAnswer) -> {
            JsonNode answer = modelAnswer;
            if (squeezed != null) {
                try {
                    SqueezingInspection.Outcome outcome = squeezed.split(answer);
                    answer = outcome.clientResponse();
                    in.add(squeezing.score(outcome.scores(), in.detector));
                } catch (RuntimeException e) {
                    reject(ctx, 502, "upstream_error", "the model server's answer could not be read: " + e.getMessage());
                    return;
                }
            }
            JsonNode clientAnswer = answer;
            observeExtraction(in, answer, () -> act(in, clientAnswer));
        });
    }

    /** PRADA compares each row with its client's history (milliseconds for a long one): on a worker, never the event loop. */
    private void observeExtraction(Inspection in, JsonNode answer, Runnable then) {
        if (in.rows == null || !in.detector.extraction()) {
            then.run();
            return;
        }
        in.ctx.vertx().<ExtractionDetector.Result>executeBlocking(() -> extraction.observe(in.client, in.rows, answer), false)
                .onComplete(done -> {
                    if (done.succeeded()) {
                        in.add(done.result());
                    } else {
                        LOG.warnf(done.cause(), "extraction detection failed for a request of %s", in.client);
                    }
                    then.run();
                });
    }

    /**
     * Asks the model server and hands its 200 answer on, read whichever format it has; any other status
     * goes back to the client as it is, an unreadable answer is a 502, no answer a 503.
     */
    private void askModel(Inspection in, Buffer body, String headerLength, java.util.function.BiConsumer<Reply, JsonNode> onAnswer) {
        RoutingContext ctx = in.ctx;
        call(upstream, ctx.request().uri(), body, headerLength).onSuccess(reply -> {
            in.upstreamNanos = reply.nanos();
            upstreamLatency.record(reply.nanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (reply.status() != 200) {
                passThrough(ctx, reply);
                return;
            }
            JsonNode answer;
            try {
                answer = WireFormat.readResponse(json, reply.body().getBytes(), reply.headerLength());
            } catch (java.io.IOException | RuntimeException e) {
                reject(ctx, 502, "upstream_error", "the model server's answer could not be read: " + e.getMessage());
                return;
            }
            onAnswer.accept(reply, answer);
        }).onFailure(err -> reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage()));
    }

    /**
     * Action flag, for a client that sees no verdicts: the model's answer goes back first, exactly as the
     * model server wrote it, and the detectors look at the request afterwards — the body decoded and
     * query similarity on a worker thread, then the squeezed copies in a call of their own, then PRADA —
     * so inspection never delays the answer nor holds the event loop. A request the model server refuses
     * leaves no trace.
     */
    private void answerThenInspect(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id) {
        Buffer body = BodyReader.body(ctx);
        String headerLength = ctx.request().getHeader(BinaryTensors.HEADER);
        long received = ctx.get(RECEIVED);
        call(upstream, ctx.request().uri(), body, headerLength).onSuccess(reply -> {
            upstreamLatency.record(reply.nanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (reply.status() != 200) {
                passThrough(ctx, reply);
                return;
            }
            relay(ctx, reply); // the model server's bytes, before anything is parsed; counted once inspected
            addedLatency.record(System.nanoTime() - received - reply.nanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            pendingInspections.incrementAndGet(); // down again in recordAnswered, which every path reaches
            ctx.vertx().<Answered>executeBlocking(() -> decodeAnswered(ctx, cfg, id, body, headerLength, reply), false)
                    .onComplete(done -> {
                        if (done.failed()) { // the model server read it, the detectors could not: said, counted
                            LOG.warnf("an answered request could not be inspected: %s", done.cause().getMessage());
                            inspected.get(false).increment();
                            count(ctx, "ok");
                            pendingInspections.decrementAndGet();
                        } else if (done.result().in().rows == null) { // an empty batch: nothing to inspect
                            inspected.get(false).increment();
                            count(ctx, "ok");
                            pendingInspections.decrementAndGet();
                        } else {
                            inspected.get(true).increment();
                            afterSimilarity(done.result().in(), done.result().answer(), done.result().copies());
                        }
                    });
        }).onFailure(err -> reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage()));
    }

    /** An answered request decoded for inspection, with the model's answer and its squeezed copies; query similarity done. */
    private record Answered(Inspection in, JsonNode answer, Copies copies) {
    }

    /** On a worker: the request and the answer decoded, query similarity (a blocking call with Redis), the copies squeezed. */
    private Answered decodeAnswered(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, Buffer body,
            String headerLength, Reply reply) throws java.io.IOException {
        JsonNode request = WireFormat.readRequest(json, body.getBytes(), headerLength);
        InputRows rows = InputRows.of(json, request).orElse(null);
        Inspection in = new Inspection(ctx, cfg, id, request, body, headerLength, rows);
        in.upstreamNanos = reply.nanos();
        JsonNode answer = WireFormat.readResponse(json, reply.body().getBytes(), reply.headerLength());
        if (rows != null && in.detector.querySimilarity()) {
            in.add(similarity.inspectAnswered(rows, in.detector));
        }
        return new Answered(in, answer, rows != null && in.detector.featureSqueezing() ? copies(in) : null);
    }

    /** Action flag with output hardening: the answer is read and hardened before it goes back, then inspected. */
    private void answerHardenedThenInspect(Inspection in, boolean squeezes) {
        askModel(in, in.body, in.headerLength, (reply, answer) -> {
            JsonNode hardened = answer.deepCopy(); // the detectors read the model's own answer
            in.detector.hardening().apply(hardened);
            send(in, hardened);
            addedLatency.record(System.nanoTime() - in.received - in.upstreamNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            pendingInspections.incrementAndGet(); // down again in recordAnswered, which every path reaches
            if (!in.detector.querySimilarity()) {
                afterSimilarity(in, answer, squeezes ? copies(in) : null);
                return;
            }
            findSimilar(in, found -> {
                if (found != null) {
                    in.add(found);
                }
                afterSimilarity(in, answer, squeezes ? copies(in) : null);
            });
        });
    }

    /** An answered request's squeezed copies, as the body of their own call to the model server. */
    private record Copies(SqueezingInspection squeezed, Buffer body, String headerLength) {
    }

    /** The copies of the request's rows; null (counted as skipped) when they cannot be written. */
    private Copies copies(Inspection in) {
        SqueezingInspection squeezed = squeezing.prepare(in.request, in.rows, in.detector);
        try {
            WireFormat.Body body = WireFormat.writeRequest(json, squeezed.copiesRequest());
            return new Copies(squeezed, Buffer.buffer(body.bytes()), body.headerLength());
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            squeezingSkipped.increment();
            LOG.warnf("feature squeezing skipped: %s", e.getMessage());
            return null;
        }
    }

    /**
     * The rest of an answered request's inspection: its rows join the store, the squeezed copies (null:
     * none) are scored, then PRADA.
     */
    private void afterSimilarity(Inspection in, JsonNode answer, Copies copies) {
        recordSimilarity(in); // answered: its rows join the store now, before the copies' round trip
        if (copies == null) {
            finishAnswered(in, answer);
            return;
        }
        call(upstream, in.ctx.request().uri(), copies.body(), copies.headerLength()).onComplete(done -> {
            try {
                if (done.succeeded() && done.result().status() == 200) {
                    JsonNode copiesAnswer = WireFormat.readResponse(json, done.result().body().getBytes(),
                            done.result().headerLength());
                    in.add(squeezing.score(copies.squeezed().scores(answer, copiesAnswer), in.detector));
                } else {
                    squeezingSkipped.increment(); // the client has its answer; the row is just not scored
                }
            } catch (java.io.IOException | RuntimeException e) {
                squeezingSkipped.increment();
                LOG.debugf("feature squeezing could not read the copies' answer: %s", e.getMessage());
            }
            finishAnswered(in, answer);
        });
    }

    private void finishAnswered(Inspection in, JsonNode answer) {
        observeExtraction(in, answer, () -> recordAnswered(in, answer));
    }

    private void recordAnswered(Inspection in, JsonNode answer) {
        try {
            boolean any = in.any();
            if (any) {
                forensics.noteFlags(in, answer);
                forensics.line(in, "flag", 200, answer);
            }
            count(in.ctx, any ? "flagged" : "ok");
        } finally {
            pendingInspections.decrementAndGet();
        }
    }

    /** Answered requests whose inspection has not finished yet (action flag inspects after answering). */
    public int pendingInspections() {
        return pendingInspections.get();
    }

    /** The query-similarity store, for tests and metrics. */
    public FingerprintTable fingerprintStore() {
        return similarity.store();
    }

    /** PRADA's per-client state, for tests and metrics. */
    public Prada extractionDetector() {
        return extraction.prada();
    }

    /** Counts, records and acts on the verdicts; {@code answer} is the model's (null when it was not asked). */
    private void act(Inspection in, JsonNode answer) {
        recordSimilarity(in);
        boolean any = in.any();
        if (any) {
            forensics.noteFlags(in, answer);
        }
        if (any && in.detector.blocks() && !in.analysis) {
            for (String d : in.flaggedDetectors()) {
                registry.counter("robustml_sidecar_blocked_total", "detector", d).increment();
            }
            String message = "the input was flagged as adversarial by the detector";
            forensics.line(in, "block", 403, json.createObjectNode().put("error", message));
            reject(in.ctx, 403, "blocked", message);
            return;
        }
        if (any && in.detector.fallsBack() && !in.analysis) {
            fallback(in);
            return;
        }
        respond(in, answer, any ? "flagged" : "ok");
    }

    /** Every row of an answered (or acted-on) request joins the similarity store, once; failed requests leave no trace. */
    private void recordSimilarity(Inspection in) {
        QuerySimilarityDetector.Result found = in.findings(QuerySimilarityDetector.Result.class);
        if (found == null) {
            return;
        }
        if (similarity.remote()) {
            in.ctx.vertx().executeBlocking(() -> {
                similarity.record(found);
                return null;
            }, false);
        } else {
            similarity.record(found);
        }
    }

    /** action fallback: an abstention, or the fallback service's answer to the original request. */
    private void fallback(Inspection in) {
        io.robustml.oip.detector.DetectorConfig.Fallback fb = in.detector.fallback();
        HttpClient fallbackUpstream = fallbackClient(in.detector);
        if (fb.abstains() || fallbackUpstream == null) {
            com.fasterxml.jackson.databind.node.ObjectNode answer = json.createObjectNode();
            answer.put("model_name", in.ctx.pathParam("name"));
            if (in.request.path("id").isTextual()) {
                answer.put("id", in.request.get("id").asText());
            }
            answer.putArray("outputs");
            answer.putObject("parameters").put("abstained", true);
            respond(in, answer, "fallback");
            return;
        }
        // The caller's request as it came (binary or JSON); the answer is read in whichever format it has.
        call(fallbackUpstream, in.ctx.request().uri(), in.body, in.headerLength).onSuccess(reply -> {
            if (reply.status() != 200) {
                forensics.line(in, "fallback", reply.status(), json.createObjectNode().put("fallbackStatus", reply.status()));
                passThrough(in.ctx, reply);
                return;
            }
            JsonNode answer;
            try {
                answer = WireFormat.readResponse(json, reply.body().getBytes(), reply.headerLength());
            } catch (java.io.IOException | RuntimeException e) {
                String message = "the fallback service's answer could not be read: " + e.getMessage();
                forensics.line(in, "fallback", 502, json.createObjectNode().put("error", message));
                reject(in.ctx, 502, "upstream_error", message);
                return;
            }
            respond(in, answer, "fallback");
        }).onFailure(err -> {
            String message = "fallback service not reachable: " + err.getMessage();
            forensics.line(in, "fallback", 503, json.createObjectNode().put("error", message));
            reject(in.ctx, 503, "upstream_unavailable", message);
        });
    }

    /** The answer after output hardening, with the verdicts for callers allowed to see them. */
    private void respond(Inspection in, JsonNode answer, String outcome) {
        in.detector.hardening().apply(answer);
        if (in.rows != null && in.verdicts && answer instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            boolean[] flagged = in.flags();
            com.fasterxml.jackson.databind.node.ArrayNode marks = o.withObject("parameters").putArray("robustml_flagged");
            for (boolean f : flagged) {
                marks.add(f);
            }
            in.ctx.response().putHeader(FLAGGED_HEADER, verdictHeader(flagged));
        }
        count(in.ctx, outcome);
        forensics.line(in, "fallback".equals(outcome) ? "fallback" : "flag", 200, answer);
        addedLatency.record(System.nanoTime() - in.received - in.upstreamNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        send(in, answer);
    }

    /** A 200 with the answer, in the format the caller asked for. */
    private void send(Inspection in, JsonNode answer) {
        try {
            WireFormat.Body out = WireFormat.writeResponse(json, answer, in.request); // the caller's format
            if (out.headerLength() != null) {
                in.ctx.response().putHeader(BinaryTensors.HEADER, out.headerLength())
                        .putHeader("content-type", "application/octet-stream");
            } else {
                in.ctx.response().putHeader("content-type", "application/json");
            }
            in.ctx.response().setStatusCode(200).end(Buffer.buffer(out.bytes()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            in.ctx.fail(e);
        }
    }

    private static String verdictHeader(boolean[] flagged) {
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < flagged.length; i++) {
            header.append(i == 0 ? "" : ",").append(flagged[i] ? '1' : '0');
        }
        return header.toString();
    }

    private record Reply(int status, String contentType, String headerLength, Buffer body, long nanos) {
    }

    /** Request options for the model server: the body's content type and, for binary tensors, the header. */
    private RequestOptions options(HttpMethod method, String uri, String headerLength) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setIdleTimeout(timeoutMs)
                .putHeader("content-type", headerLength == null ? "application/json" : "application/octet-stream");
        if (headerLength != null) {
            options.putHeader(BinaryTensors.HEADER, headerLength);
        }
        return options;
    }

    private io.vertx.core.Future<Reply> call(HttpClient client, String uri, Buffer body, String headerLength) {
        long start = System.nanoTime();
        return client.request(options(HttpMethod.POST, uri, headerLength))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader("content-type"),
                        resp.getHeader(BinaryTensors.HEADER), b, System.nanoTime() - start)));
    }

    private void passThrough(RoutingContext ctx, Reply reply) {
        count(ctx, reply.status() < 500 ? "client_error" : "upstream_error");
        relay(ctx, reply);
    }

    /** The model server's answer back to the client as it came: status, type, binary header and bytes. */
    private static void relay(RoutingContext ctx, Reply reply) {
        if (reply.headerLength() != null) {
            ctx.response().putHeader(BinaryTensors.HEADER, reply.headerLength());
        }
        ctx.response().setStatusCode(reply.status()).putHeader("content-type",
                reply.contentType() == null ? "application/json" : reply.contentType()).end(reply.body());
    }

    /** Passes the request on unchanged (binary bodies with their header) and the answer back unchanged. */
    private void forward(RoutingContext ctx, Buffer body, String headerLength) {
        long start = System.nanoTime();
        HttpMethod method = ctx.request().method();
        upstream.request(options(method, ctx.request().uri(), body == null ? null : headerLength))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> {
                    long done = System.nanoTime();
                    upstreamLatency.record(done - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    Long received = ctx.get(RECEIVED);
                    if (received != null) {
                        addedLatency.record(start - received, java.util.concurrent.TimeUnit.NANOSECONDS);
                    }
                    ctx.response().setStatusCode(resp.statusCode());
                    String type = resp.getHeader("content-type");
                    if (type != null) {
                        ctx.response().putHeader("content-type", type);
                    }
                    String binaryHeader = resp.getHeader(BinaryTensors.HEADER);
                    if (binaryHeader != null) {
                        ctx.response().putHeader(BinaryTensors.HEADER, binaryHeader);
                    }
                    count(ctx, resp.statusCode() < 400 ? "ok" : resp.statusCode() < 500 ? "client_error" : "upstream_error");
                    return b;
                }))
                .onSuccess(b -> ctx.response().end(b))
                .onFailure(err -> {
                    LOG.debugf("upstream failed for %s %s: %s", method, ctx.request().uri(), err.getMessage());
                    reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage());
                });
    }

    /** Failures of the body handler (413 over the body limit) and anything unexpected, as JSON errors. */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            reject(ctx, 413, "client_error", "request body larger than " + maxBodyBytes + " bytes");
        } else if (status >= 400 && status < 500) {
            reject(ctx, status, "client_error", "bad request");
        } else {
            LOG.errorf(ctx.failure(), "inference request failed");
            reject(ctx, 500, "error", "internal error: " + (ctx.failure() == null ? "unknown" : ctx.failure().getClass().getSimpleName()));
        }
    }

    private void reject(RoutingContext ctx, int status, String outcome, String message) {
        count(ctx, outcome);
        error(ctx, status, message);
    }

    private void error(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        try {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(Buffer.buffer(json.writeValueAsBytes(new ErrorResponse(message))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }

    /** Requests by outcome; the analysis' own apart, so that an analysis never moves the clients' alert ratios. */
    private void count(RoutingContext ctx, String outcome) {
        if (Boolean.TRUE.equals(ctx.get(ANALYSIS))) {
            analysisOutcomes.computeIfAbsent(outcome, o -> registry.counter("robustml_sidecar_analysis_requests_total", "outcome", o))
                    .increment();
        } else {
            outcomes.computeIfAbsent(outcome, o -> registry.counter("robustml_sidecar_requests_total", "outcome", o)).increment();
        }
    }
}
