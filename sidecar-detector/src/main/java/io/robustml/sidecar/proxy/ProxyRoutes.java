package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.robustml.oip.ErrorResponse;
import io.robustml.oip.InvalidTensorException;
import io.robustml.sidecar.detect.DetectorSettings;
import io.robustml.sidecar.detect.FingerprintStore;
import io.robustml.sidecar.detect.Fingerprints;
import io.robustml.sidecar.detect.InputRows;
import io.robustml.sidecar.detect.SqueezingInspection;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
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

    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final HttpClient upstream;
    private final long timeoutMs;
    private final long maxBodyBytes;
    private final Optional<RateLimiter> rateLimiter;
    private final Timer upstreamLatency;
    private final DetectorSettings detector;
    private final Set<String> verdictKeys;
    private final int maxUpstreamRows;
    private final DistributionSummary squeezingScores;
    private final FingerprintStore fingerprints;

    public ProxyRoutes(Vertx vertx, ObjectMapper json, MeterRegistry registry,
            @ConfigProperty(name = "robustml.upstream", defaultValue = "http://127.0.0.1:8081") String upstreamUrl,
            @ConfigProperty(name = "robustml.upstream-timeout-ms", defaultValue = "10000") long timeoutMs,
            @ConfigProperty(name = "robustml.max-body-bytes", defaultValue = "33554432") long maxBodyBytes,
            @ConfigProperty(name = "robustml.detector-config") Optional<String> detectorConfig,
            @ConfigProperty(name = "robustml.rate-limit.requests-per-minute", defaultValue = "0") int requestsPerMinute,
            @ConfigProperty(name = "robustml.rate-limit.burst", defaultValue = "0") int burst,
            @ConfigProperty(name = "robustml.verdict-api-keys") Optional<List<String>> verdictKeys,
            @ConfigProperty(name = "robustml.max-upstream-rows", defaultValue = "1024") int maxUpstreamRows,
            @ConfigProperty(name = "robustml.fingerprints.capacity", defaultValue = "100000") int fingerprintCapacity,
            @ConfigProperty(name = "robustml.fingerprints.ttl-seconds", defaultValue = "86400") long fingerprintTtlSeconds) {
        this.json = json;
        this.registry = registry;
        this.timeoutMs = timeoutMs;
        this.maxBodyBytes = maxBodyBytes;
        URI uri = URI.create(upstreamUrl);
        this.upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort()).setConnectTimeout(2000).setKeepAlive(true));
        this.rateLimiter = rateLimit(json, detectorConfig, requestsPerMinute, burst);
        this.upstreamLatency = Timer.builder("robustml_sidecar_upstream_seconds")
                .description("Time the model server took to answer").publishPercentileHistogram().register(registry);
        this.detector = detectorSettings(json, detectorConfig);
        this.verdictKeys = Set.copyOf(verdictKeys.orElse(List.of()));
        this.maxUpstreamRows = maxUpstreamRows;
        this.squeezingScores = DistributionSummary.builder("robustml_sidecar_squeezing_score")
                .description("Feature-squeezing score per input (max L1 distance of softmax outputs, 0-2)")
                .serviceLevelObjectives(0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5).register(registry);
        this.fingerprints = new FingerprintStore(fingerprintCapacity, fingerprintTtlSeconds * 1_000_000_000L, 200);
        io.micrometer.core.instrument.Gauge.builder("robustml_sidecar_fingerprint_queries", fingerprints, FingerprintStore::size)
                .description("Queries held in the query-similarity store").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("robustml_sidecar_fingerprint_evictions_total", fingerprints,
                FingerprintStore::evictions).description("Queries evicted from the store (capacity or age)").register(registry);
        if (detector.featureSqueezing() && detector.squeezingThreshold() == null) {
            LOG.warn("featureSqueezing has no threshold yet (only a target false-positive rate): scores are measured, "
                    + "nothing is flagged; calibrate and set spec.detector.featureSqueezing.threshold");
        }
    }

    static DetectorSettings detectorSettings(ObjectMapper json, Optional<String> detectorConfig) {
        if (detectorConfig.isEmpty() || !Files.isReadable(Path.of(detectorConfig.get()))) {
            return DetectorSettings.off();
        }
        try {
            return DetectorSettings.of(json.readTree(Path.of(detectorConfig.get()).toFile()).path("detector"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the detector config " + detectorConfig.get(), e);
        }
    }

    /** The rate limit from the operator-rendered detector config (spec.detector.rateLimit), else from properties. */
    static Optional<RateLimiter> rateLimit(ObjectMapper json, Optional<String> detectorConfig, int rpm, int burst) {
        if (detectorConfig.isPresent() && Files.isReadable(Path.of(detectorConfig.get()))) {
            try {
                JsonNode limit = json.readTree(Path.of(detectorConfig.get()).toFile()).at("/detector/rateLimit");
                if (limit.has("requestsPerMinute")) {
                    rpm = limit.get("requestsPerMinute").asInt();
                    burst = limit.path("burst").asInt(0);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read the detector config " + detectorConfig.get(), e);
            }
        }
        if (rpm <= 0) {
            return Optional.empty();
        }
        return Optional.of(new RateLimiter(rpm, burst > 0 ? burst : Math.max(1, rpm / 6), 100_000));
    }

    void routes(@Observes Router router) {
        router.get("/v2/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end("{\"live\":true}"));
        router.post("/v2/models/:name/infer").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::infer);
        router.post("/v2/models/:name/versions/:version/infer").handler(BodyHandler.create(false)
                .setBodyLimit(maxBodyBytes)).handler(this::infer);
        router.get("/v2*").handler(ctx -> forward(ctx, null));
    }

    private void infer(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        JsonNode request;
        try {
            request = json.readTree(body == null ? new byte[0] : body.getBytes());
            if (request == null || !request.isObject()) {
                reject(ctx, 400, "client_error", "the request body must be a JSON object");
                return;
            }
        } catch (java.io.IOException e) {
            reject(ctx, 400, "client_error", "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (rateLimiter.isPresent()) {
            OptionalLong wait = rateLimiter.get().tryAcquire(ClientIdentity.of(ctx), System.nanoTime());
            if (wait.isPresent()) {
                ctx.response().putHeader("Retry-After", Long.toString(wait.getAsLong()));
                reject(ctx, 429, "rate_limited", "rate limit exceeded; retry after " + wait.getAsLong() + " s");
                return;
            }
        }
        if (detector.inspects()) {
            Optional<InputRows> rows;
            try {
                rows = InputRows.of(json, request);
            } catch (InvalidTensorException e) {
                reject(ctx, 400, "client_error", e.getMessage());
                return;
            }
            if (rows.isPresent()) {
                boolean[] similar = detector.querySimilarity() ? similarity(rows.get()) : new boolean[rows.get().rows()];
                if (detector.featureSqueezing()) {
                    SqueezingInspection inspection = SqueezingInspection.of(request, rows.get(), detector);
                    if (inspection.upstreamRows() > maxUpstreamRows) {
                        reject(ctx, 413, "client_error", "batch of " + inspection.rows() + " rows is too large to inspect: "
                                + "feature squeezing sends " + inspection.upstreamRows() + " rows upstream, at most "
                                + maxUpstreamRows);
                        return;
                    }
                    inspected(ctx, inspection, similar);
                } else {
                    forwardWithVerdicts(ctx, body, similar);
                }
                return;
            }
            count("not_inspected");
        }
        forward(ctx, body);
    }

    /** Query similarity: each row against the recent queries of every client; flagged rows are then recorded too. */
    private boolean[] similarity(InputRows rows) {
        boolean[] flagged = new boolean[rows.rows()];
        long now = System.nanoTime();
        for (int i = 0; i < flagged.length; i++) {
            long[] hashes = Fingerprints.of(rows.row(i), detector.quantization(), detector.windowSize(),
                    DetectorSettings.TOP_HASHES);
            int matches = fingerprints.matchAndAdd(hashes, now);
            flagged[i] = matches >= detector.matchThreshold();
        }
        return flagged;
    }

    /** Detectors that need no upstream help: the body goes as it came, verdicts are added to the answer. */
    private void forwardWithVerdicts(RoutingContext ctx, Buffer body, boolean[] flagged) {
        boolean any = noteFlags(flagged, "querySimilarity");
        if (any && detector.blocks()) {
            registry.counter("robustml_sidecar_blocked_total", "detector", "querySimilarity").increment();
            reject(ctx, 403, "blocked", "the input was flagged as adversarial by the detector");
            return;
        }
        if (mayKnowVerdicts(ctx)) {
            ctx.response().putHeader(FLAGGED_HEADER, verdictHeader(flagged));
        }
        forward(ctx, body);
    }

    private boolean noteFlags(boolean[] flagged, String detectorName) {
        boolean any = false;
        for (boolean f : flagged) {
            any |= f;
        }
        if (any) {
            registry.counter("robustml_sidecar_flags_total", "detector", detectorName).increment();
        }
        return any;
    }

    private boolean mayKnowVerdicts(RoutingContext ctx) {
        String key = ctx.request().getHeader(ClientIdentity.API_KEY_HEADER);
        return key != null && verdictKeys.contains(key);
    }

    private static String verdictHeader(boolean[] flagged) {
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < flagged.length; i++) {
            header.append(i == 0 ? "" : ",").append(flagged[i] ? '1' : '0');
        }
        return header.toString();
    }

    /** Feature squeezing: one upstream call with the squeezed copies, the client gets its own rows back. */
    private void inspected(RoutingContext ctx, SqueezingInspection inspection, boolean[] similar) {
        long start = System.nanoTime();
        Buffer augmented;
        try {
            augmented = Buffer.buffer(json.writeValueAsBytes(inspection.augmentedRequest()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
            return;
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(ctx.request().uri())
                .setIdleTimeout(timeoutMs).putHeader("content-type", "application/json");
        upstream.request(options)
                .compose(req -> req.send(augmented))
                .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), b}))
                .onSuccess(r -> {
                    upstreamLatency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    int status = (Integer) r[0];
                    Buffer b = (Buffer) r[1];
                    if (status != 200) {
                        count(status < 500 ? "client_error" : "upstream_error");
                        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(b);
                        return;
                    }
                    answerInspected(ctx, inspection, b, similar);
                })
                .onFailure(err -> reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage()));
    }

    private void answerInspected(RoutingContext ctx, SqueezingInspection inspection, Buffer upstreamBody, boolean[] similar) {
        SqueezingInspection.Outcome outcome;
        try {
            outcome = inspection.split(json.readTree(upstreamBody.getBytes()));
        } catch (java.io.IOException | RuntimeException e) {
            reject(ctx, 502, "upstream_error", "the model server's answer could not be read: " + e.getMessage());
            return;
        }
        boolean[] squeezed = new boolean[outcome.scores().length];
        Double threshold = detector.squeezingThreshold();
        for (int i = 0; i < squeezed.length; i++) {
            squeezingScores.record(outcome.scores()[i]);
            squeezed[i] = threshold != null && outcome.scores()[i] > threshold;
        }
        boolean any = noteFlags(squeezed, "featureSqueezing") | noteFlags(similar, "querySimilarity");
        boolean[] flagged = new boolean[squeezed.length];
        for (int i = 0; i < flagged.length; i++) {
            flagged[i] = squeezed[i] || similar[i];
        }
        if (any && detector.blocks()) {
            registry.counter("robustml_sidecar_blocked_total", "detector", "any").increment();
            reject(ctx, 403, "blocked", "the input was flagged as adversarial by the detector");
            return;
        }
        JsonNode answer = outcome.clientResponse();
        if (mayKnowVerdicts(ctx)) {
            com.fasterxml.jackson.databind.node.ArrayNode marks = json.createArrayNode();
            for (boolean f : flagged) {
                marks.add(f);
            }
            ctx.response().putHeader(FLAGGED_HEADER, verdictHeader(flagged));
            ((com.fasterxml.jackson.databind.node.ObjectNode) answer).withObject("parameters").set("robustml_flagged", marks);
        }
        count(any ? "flagged" : "ok");
        try {
            ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
                    .end(Buffer.buffer(json.writeValueAsBytes(answer)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }

    private void forward(RoutingContext ctx, Buffer body) {
        long start = System.nanoTime();
        HttpMethod method = ctx.request().method();
        RequestOptions options = new RequestOptions().setMethod(method).setURI(ctx.request().uri())
                .setIdleTimeout(timeoutMs).putHeader("content-type", "application/json");
        upstream.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> {
                    upstreamLatency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    ctx.response().setStatusCode(resp.statusCode());
                    String type = resp.getHeader("content-type");
                    if (type != null) {
                        ctx.response().putHeader("content-type", type);
                    }
                    count(resp.statusCode() < 400 ? "ok" : resp.statusCode() < 500 ? "client_error" : "upstream_error");
                    return b;
                }))
                .onSuccess(b -> ctx.response().end(b))
                .onFailure(err -> {
                    LOG.debugf("upstream failed for %s %s: %s", method, ctx.request().uri(), err.getMessage());
                    reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage());
                });
    }

    private void reject(RoutingContext ctx, int status, String outcome, String message) {
        count(outcome);
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

    private void count(String outcome) {
        registry.counter("robustml_sidecar_requests_total", "outcome", outcome).increment();
    }
}
