package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.ErrorResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the sidecar answers what it does not get from the model server — JSON errors, the model server's
 * own answer relayed — and how it counts every request by outcome: the analysis' own requests apart, so
 * that an analysis never moves the clients' alert ratios.
 */
@ApplicationScoped
public class Replies {
    /** Set on a request of the analysis' own key. */
    private static final String ANALYSIS = "robustml.analysis";

    private final ObjectMapper json;
    private final MeterRegistry registry;
    /** Requests by outcome (a registry lookup per request costs more than the counting). */
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Counter> analysisOutcomes = new ConcurrentHashMap<>();

    public Replies(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        this.registry = registry;
    }

    /** Marks the request as the analysis' (counted apart). */
    static void markAnalysis(RoutingContext ctx, boolean analysis) {
        ctx.put(ANALYSIS, analysis);
    }

    void passThrough(RoutingContext ctx, UpstreamReply reply) {
        count(ctx, reply.status() < 500 ? "client_error" : "upstream_error");
        relay(ctx, reply);
    }

    /** The model server's answer back to the client as it came: status, type, binary header and bytes. */
    static void relay(RoutingContext ctx, UpstreamReply reply) {
        if (reply.headerLength() != null) {
            ctx.response().putHeader(BinaryTensors.HEADER, reply.headerLength());
        }
        ctx.response().setStatusCode(reply.status()).putHeader("content-type",
                reply.contentType() == null ? "application/json" : reply.contentType()).end(reply.body());
    }

    void reject(RoutingContext ctx, int status, String outcome, String message) {
        count(ctx, outcome);
        error(ctx, status, message);
    }

    void error(RoutingContext ctx, int status, String message) {
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
    void count(RoutingContext ctx, String outcome) {
        if (Boolean.TRUE.equals(ctx.get(ANALYSIS))) {
            analysisOutcomes.computeIfAbsent(outcome, o -> registry.counter("robustml_sidecar_analysis_requests_total", "outcome", o))
                    .increment();
        } else {
            outcomes.computeIfAbsent(outcome, o -> registry.counter("robustml_sidecar_requests_total", "outcome", o)).increment();
        }
    }
}
