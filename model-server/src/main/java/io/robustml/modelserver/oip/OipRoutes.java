package io.robustml.modelserver.oip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.modelserver.runtime.ModelRuntime;
import io.robustml.modelserver.runtime.ModelServerConfig;
import io.robustml.modelserver.runtime.ModelState;
import io.robustml.modelserver.runtime.Prediction;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.ErrorResponse;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.RequestLimits;
import io.robustml.oip.ModelMetadata;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Open Inference Protocol v2 REST endpoints (as KServe and Triton define them). Bad input gets a
 * 4xx with {@code {"error": "..."}}; only the server's own failures are 5xx.
 */
@ApplicationScoped
public class OipRoutes {
    private static final Logger LOG = Logger.getLogger(OipRoutes.class);
    private static final String MODEL = "/v2/models/:name";
    private static final String VERSIONED = "/v2/models/:name/versions/:version";

    private final ModelRuntime runtime;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final long maxBodyBytes;
    private final DistributionSummary batchSize;
    private final long maxElements;

    public OipRoutes(ModelRuntime runtime, ObjectMapper json, MeterRegistry registry,
            @ConfigProperty(name = RequestLimits.MAX_BODY_BYTES_PROPERTY, defaultValue = RequestLimits.DEFAULT_MAX_BODY_BYTES)
            long maxBodyBytes) {
        this.runtime = runtime;
        this.json = json;
        this.registry = registry;
        this.maxBodyBytes = maxBodyBytes;
        this.maxElements = InferenceHandler.maxElements(runtime.config());
        this.batchSize = DistributionSummary.builder("robustml_model_batch_size")
                .description("Rows (shape[0]) per inference request").register(registry);
    }

    void routes(@Observes Router router) {
        router.get("/v2").handler(ctx -> send(ctx, 200, Map.of("name", "robustml-model-server",
                "version", "0.1.0", "extensions", List.of(BinaryTensors.EXTENSION))));
        router.get("/v2/health/live").handler(ctx -> send(ctx, 200, Map.of("live", true)));
        router.get("/v2/health/ready").handler(this::serverReady);
        for (String base : List.of(MODEL, VERSIONED)) {
            router.get(base).handler(this::metadata);
            router.get(base + "/ready").handler(this::modelReady);
            router.post(base + "/infer")
                    .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                    .blockingHandler(this::infer, false)
                    .failureHandler(this::failed);
        }
    }

    private void serverReady(RoutingContext ctx) {
        ModelState s = runtime.state();
        if (s.isReady()) {
            send(ctx, 200, Map.of("ready", true));
        } else {
            // The protocol answers "not ready" with a 4xx; the body says why (e.g. a digest mismatch).
            error(ctx, 400, "not ready: " + s.message());
        }
    }

    private void modelReady(RoutingContext ctx) {
        if (knownModel(ctx)) {
            serverReady(ctx);
        }
    }

    private void metadata(RoutingContext ctx) {
        if (!knownModel(ctx)) {
            return;
        }
        ModelServerConfig c = runtime.config();
        long[] in = new long[c.inputShape().size() + 1];
        in[0] = -1;
        for (int i = 0; i < c.inputShape().size(); i++) {
            in[i + 1] = c.inputShape().get(i);
        }
        int classes = c.labels().map(List::size).orElse(-1);
        send(ctx, 200, new ModelMetadata(c.name(), List.of(c.version()),
                "torchscript".equals(c.format()) ? "pytorch_torchscript" : "onnxruntime_onnx",
                List.of(new ModelMetadata.TensorMetadata(c.inputName(), "FP32", in)),
                List.of(new ModelMetadata.TensorMetadata(c.outputName(), "FP32", new long[] {-1, classes}),
                        new ModelMetadata.TensorMetadata(InferenceHandler.LABEL_OUTPUT, "INT64", new long[] {-1}))));
    }

    private void infer(RoutingContext ctx) {
        if (!knownModel(ctx)) {
            count("client_error");
            return;
        }
        ModelState state = runtime.state();
        if (!state.isReady()) {
            count("unavailable");
            error(ctx, 503, "model not ready: " + state.message());
            return;
        }
        try {
            // JSON, or a JSON header followed by binary tensor data (Inference-Header-Content-Length).
            InferenceHandler.Batch batch = InferenceHandler.decode(ctx.body().buffer().getBytes(),
                    ctx.request().getHeader(BinaryTensors.HEADER), json, runtime.config(), maxElements);
            batchSize.record(batch.shape()[0]);
            Prediction prediction = runtime.predict(batch.data(), batch.shape());
            sendResponse(ctx, InferenceHandler.respond(batch.request(), prediction, runtime.config(), json));
            count("ok");
        } catch (JsonProcessingException e) {
            count("client_error");
            error(ctx, 400, "malformed JSON: " + e.getOriginalMessage());
        } catch (InvalidTensorException e) {
            count("client_error");
            error(ctx, 400, e.getMessage());
        } catch (Exception e) {
            count("server_error");
            LOG.error("inference failed", e);
            error(ctx, 500, "inference failed: " + e.getMessage());
        }
    }

    /** The body handler's refusals (413 over the limit, 400 for an unreadable body) as JSON errors, like every other. */
    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            count("client_error");
            error(ctx, 413, "request body larger than " + maxBodyBytes + " bytes (" + RequestLimits.MAX_BODY_BYTES_PROPERTY + ")");
        } else if (status >= 400 && status < 500) {
            count("client_error");
            error(ctx, status, "bad request");
        } else {
            count("server_error");
            LOG.error("inference request failed", ctx.failure());
            error(ctx, 500, "internal error");
        }
    }

    private boolean knownModel(RoutingContext ctx) {
        ModelServerConfig c = runtime.config();
        String name = ctx.pathParam("name");
        String version = ctx.pathParam("version");
        if (!c.name().equals(name) || (version != null && !c.version().equals(version))) {
            error(ctx, 404, "unknown model '" + name + (version == null ? "" : "' version '" + version)
                    + "'; this server serves '" + c.name() + "' version '" + c.version() + "'");
            return false;
        }
        return true;
    }

    private void count(String outcome) {
        registry.counter("robustml_model_requests_total", "model", runtime.config().name(), "outcome", outcome)
                .increment();
    }

    private void error(RoutingContext ctx, int status, String message) {
        send(ctx, status, new ErrorResponse(message));
    }

    /** JSON, or with binary outputs a JSON header and their bytes, the header's length in the response header. */
    private void sendResponse(RoutingContext ctx, BinaryTensors.Encoded encoded) {
        if (!encoded.binary()) {
            ctx.response().setStatusCode(200).putHeader("content-type", "application/json")
                    .end(io.vertx.core.buffer.Buffer.buffer(encoded.body()));
            return;
        }
        ctx.response().setStatusCode(200).putHeader("content-type", "application/octet-stream")
                .putHeader(BinaryTensors.HEADER, String.valueOf(encoded.headerLength()))
                .end(io.vertx.core.buffer.Buffer.buffer(encoded.body()));
    }

    private void send(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(io.vertx.core.buffer.Buffer.buffer(json.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
