package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.RequestLimits;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.FingerprintTable;
import io.robustml.oip.similarity.Fingerprints;
import io.robustml.sidecar.config.ConfigReloader;
import io.robustml.sidecar.config.RuntimeConfig;
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
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * An admitted request through the detectors: answered first and inspected after under action flag,
 * inspected inline under block and fallback (and for the analysis' key); then counted, recorded and
 * acted on. Holds the detectors' state (the fingerprint store, PRADA's histories, the forensic log).
 */
@ApplicationScoped
public class InspectionFlow {
    private static final Logger LOG = Logger.getLogger(InspectionFlow.class);

    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final ConfigReloader configs;
    private final Replies replies;
    private final ModelServer modelServer;
    private final int maxUpstreamRows;
    private final QuerySimilarityDetector similarity;
    private final FeatureSqueezingDetector squeezing;
    private final ExtractionDetector extraction;
    private final java.util.concurrent.atomic.AtomicInteger pendingInspections = new java.util.concurrent.atomic.AtomicInteger();
    /** Answered requests whose squeezed copies could not be scored (the copies' call failed). */
    private final io.micrometer.core.instrument.Counter squeezingSkipped;
    private final Optional<ForensicLog> forensicLog;
    private final ForensicRecorder forensics;
    /** Inference requests past the gate, by whether a detector inspected them (inspected/total). */
    private final java.util.Map<Boolean, io.micrometer.core.instrument.Counter> inspected;
    /** The shared store's counters for limits and quotas across replicas (null: per replica). */
    private final ClientLimiter.SharedCounters sharedCounters;

    public InspectionFlow(Vertx vertx, ObjectMapper json, MeterRegistry registry, ConfigReloader configs, Replies replies,
            ModelServer modelServer,
            @ConfigProperty(name = "robustml.detector-config") Optional<String> detectorConfig,
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
            @ConfigProperty(name = "robustml.fingerprints.redis") Optional<String> redisUrl,
            @ConfigProperty(name = "robustml.fingerprints.redis-namespace") Optional<String> redisNamespace,
            @ConfigProperty(name = "robustml.fingerprints.redis-timeout-ms", defaultValue = "250") int redisTimeoutMs) {
        this.json = json;
        this.registry = registry;
        this.configs = configs;
        this.replies = replies;
        this.modelServer = modelServer;
        this.maxUpstreamRows = maxUpstreamRows;
        this.inspected = java.util.Map.of(true, inspectedCounter(registry, true), false, inspectedCounter(registry, false));
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
        Prada prada = new Prada(io.robustml.oip.detector.DetectorConfig.Extraction.DEFAULT_DELTA, pradaClients,
                pradaTtlSeconds * 1_000_000_000L, pradaValues, pradaRows, 500);
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
    }

    /** The shared store's limit counters, when there is one (else null: each replica counts alone). */
    ClientLimiter.SharedCounters sharedCounters() {
        return sharedCounters;
    }

    /** A request forwarded without inspection (no detector, no output hardening). */
    void uninspected() {
        inspected.get(false).increment();
    }

    /**
     * A request whose body was parsed before it was admitted (block, fallback, the analysis' key, output
     * hardening): its rows decoded, then query similarity, the model's answer with the squeezed copies in
     * one call, PRADA and the action — or, under flag with output hardening, answered first.
     */
    void inspect(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, JsonNode request) {
        DetectorSettings detector = cfg.detector();
        Buffer body = BodyReader.body(ctx);
        InputRows rows = null;
        if (detector.inspects()) {
            try {
                rows = InputRows.of(json, request).orElse(null);
            } catch (InvalidTensorException e) {
                replies.reject(ctx, 400, "client_error", e.getMessage());
                return;
            }
        }
        String threshold = ctx.request().getHeader(io.robustml.oip.detector.AnalysisOverride.SQUEEZING_THRESHOLD_HEADER);
        if (id.analysis() && threshold != null) {
            try {
                io.robustml.oip.detector.AnalysisOverride.squeezingThreshold(threshold);
            } catch (IllegalArgumentException e) {
                replies.reject(ctx, 400, "client_error", e.getMessage());
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
    void refuseWithoutStore(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", "1");
        replies.reject(ctx, 503, "store_unavailable", "the shared detector store is not answering and this model fails closed; retry later");
    }

    /** After query similarity: act on its verdict, or ask the model server (with the squeezed copies). */
    private void upstream(Inspection in, SqueezingInspection squeezed) {
        RoutingContext ctx = in.ctx;
        if (in.any() && !in.analysis && (in.detector.blocks() || in.detector.fallsBack())) {
            act(in, null); // block or fall back before the model sees the input
            return;
        }
        if (in.rows == null && !in.detector.hardening().changesAnything()) {
            modelServer.forward(ctx, in.body, in.headerLength);
            return;
        }
        // The caller's own body (binary or JSON, its output choices intact) unless squeezing adds rows; the
        // answer is read whichever format it comes in and written back in the format the caller asked for.
        Buffer upstreamBody = in.body;
        String upstreamHeader = in.headerLength;
        if (squeezed != null) {
            try {
                WireFormat.Body augmented = WireFormat.writeRequest(json, squeezed.augmentedRequest(modelServer.takesBinary()));
                upstreamBody = Buffer.buffer(augmented.bytes());
                upstreamHeader = augmented.headerLength();
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) { // e.g. "id": {}
                replies.reject(ctx, 400, "client_error", "not an inference request: " + e.getMessage().lines().findFirst().orElse(""));
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
                    replies.reject(ctx, 502, "upstream_error", "the model server's answer could not be read: " + e.getMessage());
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
        in.ctx.vertx().<ExtractionDetector.Result>executeBlocking(() -> extraction.observe(in.client, in.rows, answer, in.detector), false)
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
    private void askModel(Inspection in, Buffer body, String headerLength, java.util.function.BiConsumer<UpstreamReply, JsonNode> onAnswer) {
        RoutingContext ctx = in.ctx;
        modelServer.call(ctx.request().uri(), body, headerLength).onSuccess(reply -> {
            in.upstreamNanos = reply.nanos();
            modelServer.recordUpstream(reply.nanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (reply.status() != 200) {
                replies.passThrough(ctx, reply);
                return;
            }
            JsonNode answer;
            try {
                answer = WireFormat.readResponse(json, reply.body().getBytes(), reply.headerLength());
            } catch (java.io.IOException | RuntimeException e) {
                replies.reject(ctx, 502, "upstream_error", "the model server's answer could not be read: " + e.getMessage());
                return;
            }
            onAnswer.accept(reply, answer);
        }).onFailure(err -> replies.reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage()));
    }

    /**
     * Action flag, for a client that sees no verdicts: the model's answer goes back first, exactly as the
     * model server wrote it, and the detectors look at the request afterwards — the body decoded and
     * query similarity on a worker thread, then the squeezed copies in a call of their own, then PRADA —
     * so inspection never delays the answer nor holds the event loop. A request the model server refuses
     * leaves no trace.
     */
    void answerThenInspect(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id) {
        Buffer body = BodyReader.body(ctx);
        String headerLength = ctx.request().getHeader(BinaryTensors.HEADER);
        long received = ctx.get(ModelServer.RECEIVED);
        modelServer.call(ctx.request().uri(), body, headerLength).onSuccess(reply -> {
            modelServer.recordUpstream(reply.nanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            if (reply.status() != 200) {
                replies.passThrough(ctx, reply);
                return;
            }
            Replies.relay(ctx, reply); // the model server's bytes, before anything is parsed; counted once inspected
            modelServer.recordAdded(System.nanoTime() - received - reply.nanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            pendingInspections.incrementAndGet(); // down again in recordAnswered, which every path reaches
            ctx.vertx().<Answered>executeBlocking(() -> decodeAnswered(ctx, cfg, id, body, headerLength, reply), false)
                    .onComplete(done -> {
                        if (done.failed()) { // the model server read it, the detectors could not: said, counted
                            LOG.warnf("an answered request could not be inspected: %s", done.cause().getMessage());
                            inspected.get(false).increment();
                            replies.count(ctx, "ok");
                            pendingInspections.decrementAndGet();
                        } else if (done.result().in().rows == null) { // an empty batch: nothing to inspect
                            inspected.get(false).increment();
                            replies.count(ctx, "ok");
                            pendingInspections.decrementAndGet();
                        } else {
                            inspected.get(true).increment();
                            afterSimilarity(done.result().in(), done.result().answer(), done.result().copies());
                        }
                    });
        }).onFailure(err -> replies.reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage()));
    }

    /** An answered request decoded for inspection, with the model's answer and its squeezed copies; query similarity done. */
    private record Answered(Inspection in, JsonNode answer, Copies copies) {
    }

    /** On a worker: the request and the answer decoded, query similarity (a blocking call with Redis), the copies squeezed. */
    private Answered decodeAnswered(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, Buffer body,
            String headerLength, UpstreamReply reply) throws java.io.IOException {
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
            modelServer.recordAdded(System.nanoTime() - in.received - in.upstreamNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
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
            WireFormat.Body body = WireFormat.writeRequest(json, squeezed.copiesRequest(modelServer.takesBinary()));
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
        modelServer.call(in.ctx.request().uri(), copies.body(), copies.headerLength()).onComplete(done -> {
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
            replies.count(in.ctx, any ? "flagged" : "ok");
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
            replies.reject(in.ctx, 403, "blocked", message);
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
        HttpClient fallbackUpstream = modelServer.fallbackClient(in.detector);
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
        modelServer.call(fallbackUpstream, in.ctx.request().uri(), in.body, in.headerLength).onSuccess(reply -> {
            if (reply.status() != 200) {
                forensics.line(in, "fallback", reply.status(), json.createObjectNode().put("fallbackStatus", reply.status()));
                replies.passThrough(in.ctx, reply);
                return;
            }
            JsonNode answer;
            try {
                answer = WireFormat.readResponse(json, reply.body().getBytes(), reply.headerLength());
            } catch (java.io.IOException | RuntimeException e) {
                String message = "the fallback service's answer could not be read: " + e.getMessage();
                forensics.line(in, "fallback", 502, json.createObjectNode().put("error", message));
                replies.reject(in.ctx, 502, "upstream_error", message);
                return;
            }
            respond(in, answer, "fallback");
        }).onFailure(err -> {
            String message = "fallback service not reachable: " + err.getMessage();
            forensics.line(in, "fallback", 503, json.createObjectNode().put("error", message));
            replies.reject(in.ctx, 503, "upstream_unavailable", message);
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
            in.ctx.response().putHeader(ProxyRoutes.FLAGGED_HEADER, verdictHeader(flagged));
        }
        replies.count(in.ctx, outcome);
        forensics.line(in, "fallback".equals(outcome) ? "fallback" : "flag", 200, answer);
        modelServer.recordAdded(System.nanoTime() - in.received - in.upstreamNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
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

    /**
     * Action flag for a client that sees no verdicts: the verdicts change nothing it gets, so it gets the
     * model's answer first. A store that fails closed, block and fallback decide before the answer.
     */
    boolean answersFirst(DetectorSettings detector, ClientIdentity.Identity id) {
        return !id.verdicts() && !detector.blocks() && !detector.fallsBack() && !(detector.storeFailsClosed() && similarity.remote());
    }

    /** Feature squeezing sends the rows' copies upstream too: a batch whose copies exceed what it takes is a 413. */
    boolean tooLargeToSqueeze(RoutingContext ctx, long[] shape, DetectorSettings detector) {
        long upstreamRows = detector.featureSqueezing() ? shape[0] * SqueezingInspection.copies(shape, detector) : 0;
        if (upstreamRows > maxUpstreamRows) {
            replies.reject(ctx, 413, "client_error", "batch of " + shape[0] + " rows is too large to inspect: "
                    + "feature squeezing sends " + upstreamRows + " rows upstream, at most " + maxUpstreamRows);
            return true;
        }
        return false;
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
}
