package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.RequestLimits;
import io.robustml.sidecar.config.BlockedClient;
import io.robustml.sidecar.config.ClientLimits;
import io.robustml.sidecar.config.ConfigReloader;
import io.robustml.sidecar.config.RuntimeConfig;
import io.robustml.sidecar.config.SourceAddress;
import io.robustml.sidecar.detect.DetectorSettings;
import io.robustml.sidecar.detect.InputRows;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The sidecar's HTTP face: an Open Inference Protocol v2 reverse proxy in front of the model server.
 * Routes and the gate only — config in force, blocked clients, identity, the body's head or tree, rate
 * limits and quotas — then the request goes to the model server untouched ({@link ModelServer}) or
 * through the detectors ({@link InspectionFlow}). Health answers for the pair; every refusal is a JSON error.
 */
@ApplicationScoped
public class ProxyRoutes {
    private static final Logger LOG = Logger.getLogger(ProxyRoutes.class);
    /** One 0/1 per input row, for callers whose API key may see verdicts (the tester). */
    public static final String FLAGGED_HEADER = "X-RobustML-Flagged";

    private final ObjectMapper json;
    private final ConfigReloader configs;
    private final Replies replies;
    private final ModelServer modelServer;
    private final InspectionFlow flow;
    private final long maxBodyBytes;
    private final Set<String> verdictKeySha256s;
    private final ClientLimiter limiter = new ClientLimiter(100_000);
    /** The shared store's counters for limits and quotas across replicas (null: per replica). */
    private final ClientLimiter.SharedCounters sharedCounters;
    private final Counter limitStoreErrors;

    public ProxyRoutes(ObjectMapper json, MeterRegistry registry, ConfigReloader configs, Replies replies, ModelServer modelServer,
            InspectionFlow flow,
            @ConfigProperty(name = RequestLimits.MAX_BODY_BYTES_PROPERTY, defaultValue = RequestLimits.DEFAULT_MAX_BODY_BYTES)
            long maxBodyBytes,
            @ConfigProperty(name = "robustml.verdict-api-keys") Optional<List<String>> verdictKeys) {
        this.json = json;
        this.configs = configs;
        this.replies = replies;
        this.modelServer = modelServer;
        this.flow = flow;
        this.maxBodyBytes = maxBodyBytes;
        this.verdictKeySha256s = verdictKeys.orElse(List.of()).stream().map(io.robustml.sidecar.config.Clients::sha256Hex)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.sharedCounters = flow.sharedCounters();
        this.limitStoreErrors = Counter.builder("robustml_sidecar_limit_store_errors_total")
                .description("Shared (Redis) rate-limit and quota counts that failed; the replica's own counts decided")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("robustml_sidecar_limited_clients", limiter, ClientLimiter::clients)
                .description("Clients whose rate-limit and quota state this replica holds").register(registry);
    }

    void routes(@Observes Router router) {
        router.get("/v2/health/live").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
                .end("{\"live\":true}"));
        // Ready only with a valid detector config in force: never serve uninspected.
        router.get("/v2/health/ready").handler(ctx -> {
            String why = configs.notReadyReason();
            if (why != null) {
                replies.error(ctx, 503, "not ready: " + why); // probes are not requests: not counted
            } else {
                modelServer.askProtocol(); // until its GET /v2 has been read
                modelServer.forward(ctx, null, null);
            }
        });
        BodyReader body = new BodyReader(maxBodyBytes);
        router.post("/v2/models/:name/infer").handler(body).handler(this::infer).failureHandler(this::failed);
        router.post("/v2/models/:name/versions/:version/infer").handler(body).handler(this::infer).failureHandler(this::failed);
        router.get("/v2/health/*").handler(ctx -> modelServer.forward(ctx, null, null)); // probes: never gated
        router.get("/v2*").handler(ctx -> { // metadata: blocked clients and unknown keys get nothing either
            RuntimeConfig cfg = configs.current();
            if (cfg == null) {
                replies.reject(ctx, 503, "not_ready", "not ready: " + configs.notReadyReason());
            } else if (admits(ctx, cfg) != null) {
                modelServer.forward(ctx, null, null);
            }
        });
        // Anything else under /v2 (a POST elsewhere, an empty model name): a JSON 404, like the protocol's errors.
        router.route("/v2*").handler(ctx -> replies.reject(ctx, 404, "client_error", "no such endpoint: " + ctx.request().method()
                + " " + ctx.request().path()));
    }

    /**
     * The gate: blocked clients (403) and identity (401) before anything is parsed; then the body is read
     * and the client's rate limit and daily quota are charged its rows (429; 413 for a batch larger than it
     * may ever send). The analysis' own key is exempt from limits: it must measure the model, not its
     * limits. Limits shared through Redis are counted off the event loop.
     */
    private void infer(RoutingContext ctx) {
        ctx.put(ModelServer.RECEIVED, System.nanoTime());
        RuntimeConfig cfg = configs.current();
        if (cfg == null) {
            replies.reject(ctx, 503, "not_ready", "not ready: " + configs.notReadyReason());
            return;
        }
        ClientIdentity.Identity id = admits(ctx, cfg);
        if (id == null) {
            return;
        }
        Replies.markAnalysis(ctx, id.analysis());
        if (ctx.request().getHeader(BinaryTensors.HEADER) != null && modelServer.refusesBinary()) {
            replies.reject(ctx, 400, "client_error", "this model's server does not take binary tensors (its GET /v2 lists no "
                    + BinaryTensors.EXTENSION + " extension); send the request as JSON");
            return;
        }
        DetectorSettings detector = cfg.detector();
        JsonNode request = null;
        RequestHead head = null;
        if (detector.inspects() && !detector.hardening().changesAnything() && flow.answersFirst(detector, id)) {
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
                    flow.refuseWithoutStore(ctx);
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
            replies.reject(ctx, 400, "client_error", e.getMessage());
            return null;
        }
        return flow.tooLargeToSqueeze(ctx, head.shape(), detector) ? null : head;
    }

    /** The body as a JSON object (the binary extension's framing and sizes checked); null when answered with a 400. */
    private JsonNode readRequest(RoutingContext ctx) {
        try {
            JsonNode request = WireFormat.readRequest(json, BodyReader.body(ctx).getBytes(),
                    ctx.request().getHeader(BinaryTensors.HEADER));
            if (request == null || !request.isObject()) {
                replies.reject(ctx, 400, "client_error", "the request body must be a JSON object");
                return null;
            }
            return request;
        } catch (InvalidTensorException e) {
            replies.reject(ctx, 400, "client_error", e.getMessage());
        } catch (java.io.IOException | IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            replies.reject(ctx, 400, "client_error", "malformed JSON: " + message.lines().findFirst().orElse(""));
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
            replies.reject(ctx, 403, "blocked_client", "client blocked" + (blocked.reason().isBlank() ? "" : ": " + blocked.reason()));
            return null;
        }
        if (id.denied() != null) {
            ctx.response().putHeader("WWW-Authenticate", "ApiKey");
            replies.reject(ctx, 401, "unauthorized", id.denied());
            return null;
        }
        return id;
    }

    /** After the limits: {@code request} is the parsed body, or null when nothing needs it parsed. */
    private void admitted(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, JsonNode request, RequestHead head,
            ClientLimiter.Decision decision) {
        if (decision instanceof ClientLimiter.BatchTooLarge b) {
            replies.reject(ctx, 413, "rate_limited", "a batch of " + b.rows() + " rows is more than this client may send at once ("
                    + b.allowed() + " rows); send smaller batches");
            return;
        }
        if (decision instanceof ClientLimiter.RateLimited r) {
            ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
            replies.reject(ctx, 429, "rate_limited", "rate limit exceeded; retry after " + r.retryAfterSeconds() + " s");
            return;
        }
        if (decision instanceof ClientLimiter.QuotaExhausted q) {
            ctx.response().putHeader("Retry-After", Long.toString(q.retryAfterSeconds()));
            replies.reject(ctx, 429, "quota_exhausted", "daily quota of " + q.quota() + " rows exhausted; it resets at 00:00 UTC (in "
                    + q.retryAfterSeconds() + " s)");
            return;
        }
        if (head != null) {
            flow.answerThenInspect(ctx, cfg, id);
            return;
        }
        if (request == null) { // no detector, no hardening: the bytes go through untouched
            flow.uninspected();
            modelServer.forward(ctx, BodyReader.body(ctx), ctx.request().getHeader(BinaryTensors.HEADER));
            return;
        }
        flow.inspect(ctx, cfg, id, request);
    }

    /** Failures of the body handler (413 over the body limit) and anything unexpected, as JSON errors. */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            replies.reject(ctx, 413, "client_error", "request body larger than " + maxBodyBytes + " bytes");
        } else if (status >= 400 && status < 500) {
            replies.reject(ctx, status, "client_error", "bad request");
        } else {
            LOG.errorf(ctx.failure(), "inference request failed");
            replies.reject(ctx, 500, "error", "internal error: " + (ctx.failure() == null ? "unknown" : ctx.failure().getClass().getSimpleName()));
        }
    }
}
