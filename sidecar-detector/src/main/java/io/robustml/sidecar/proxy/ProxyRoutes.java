package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.robustml.oip.ErrorResponse;
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
import java.util.Optional;
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

    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final HttpClient upstream;
    private final long timeoutMs;
    private final long maxBodyBytes;
    private final Optional<RateLimiter> rateLimiter;
    private final Timer upstreamLatency;

    public ProxyRoutes(Vertx vertx, ObjectMapper json, MeterRegistry registry,
            @ConfigProperty(name = "robustml.upstream", defaultValue = "http://127.0.0.1:8081") String upstreamUrl,
            @ConfigProperty(name = "robustml.upstream-timeout-ms", defaultValue = "10000") long timeoutMs,
            @ConfigProperty(name = "robustml.max-body-bytes", defaultValue = "33554432") long maxBodyBytes,
            @ConfigProperty(name = "robustml.detector-config") Optional<String> detectorConfig,
            @ConfigProperty(name = "robustml.rate-limit.requests-per-minute", defaultValue = "0") int requestsPerMinute,
            @ConfigProperty(name = "robustml.rate-limit.burst", defaultValue = "0") int burst) {
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
        try {
            JsonNode request = json.readTree(body == null ? new byte[0] : body.getBytes());
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
        forward(ctx, body);
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
