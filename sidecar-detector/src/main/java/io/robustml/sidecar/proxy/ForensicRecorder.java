package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.oip.TensorCodec;
import io.robustml.sidecar.detect.ForensicLog;
import io.robustml.sidecar.detect.ForensicSampler;
import java.util.List;
import java.util.Optional;

/**
 * What a flagged request leaves behind: flag counters per detector, one forensic record per flagged row
 * (the volume, {@link ForensicLog}, bounded per client by {@link ForensicSampler}) and one JSON line per
 * request on stdout, so it outlives the pod in the cluster's log pipeline. The analysis' own flags are
 * counted apart and recorded nowhere: its report has them all, and its attacks must not page anyone.
 */
final class ForensicRecorder {
    /** Model outputs longer than this (as JSON) are cut in the stdout line, which must stay one reasonable line. */
    static final int MAX_OUTPUT_CHARS = 16_384;

    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Optional<ForensicLog> log;
    private final ForensicSampler sampler;
    private final Optional<String> modelRevision;
    private final ForensicStream stream = new ForensicStream();

    ForensicRecorder(ObjectMapper json, MeterRegistry registry, Optional<ForensicLog> log, ForensicSampler sampler,
            Optional<String> modelRevision) {
        this.json = json;
        this.registry = registry;
        this.log = log;
        this.sampler = sampler;
        this.modelRevision = modelRevision;
    }

    /** Counts the flagged rows per detector and records those the sampler admits; {@code answer} may be null. */
    void noteFlags(Inspection in, JsonNode answer) {
        in.revision = answer != null && answer.hasNonNull("model_version") ? answer.get("model_version").asText()
                : modelRevision.orElse(null);
        in.requestId = requestId(in);
        for (int i = 0; i < in.n(); i++) {
            List<String> names = in.detectors(i);
            for (String d : names) {
                if (in.analysis) {
                    registry.counter("robustml_sidecar_analysis_flags_total", "detector", d).increment();
                } else {
                    registry.counter("robustml_sidecar_flags_total", "detector", d).increment();
                }
            }
            if (names.isEmpty() || in.analysis) {
                continue;
            }
            if (!sampler.admits(in.client, System.currentTimeMillis())) {
                registry.counter("robustml_sidecar_forensic_records_total", "result", "sampled_out").increment();
                continue;
            }
            in.recordedForensics = true;
            if (log.isPresent() && in.detector.forensicLog()) {
                write(in, i, names);
            }
        }
    }

    /**
     * The flagged request as one JSON line on stdout (category robustml.forensic): who (client name or
     * source address, never a key), what the detectors said per row, the action and what the client got back.
     */
    void line(Inspection in, String action, int status, JsonNode output) {
        if (!in.recordedForensics) { // not flagged, sampled out, or the analysis' own attack
            return;
        }
        ObjectNode line = json.createObjectNode();
        line.put("time", java.time.Instant.now().toString());
        line.put("category", ForensicStream.CATEGORY);
        line.put("requestId", in.requestId);
        line.put("model", in.ctx.pathParam("name"));
        line.put("modelRevision", in.revision);
        line.put("client", in.client);
        line.put("source", in.source);
        line.put("action", action);
        line.put("status", status);
        line.put("config", in.cfg.shortSha());
        ArrayNode rows = line.putArray("flaggedRows");
        for (int i = 0; i < in.n(); i++) {
            List<String> names = in.detectors(i);
            if (!names.isEmpty()) {
                ObjectNode r = rows.addObject().put("row", i);
                names.forEach(r.putArray("detectors")::add);
                r.set("scores", in.scores(json, i));
            }
        }
        if (output != null) {
            String text = output.toString();
            if (text.length() <= MAX_OUTPUT_CHARS) {
                line.set("output", output);
            } else {
                line.putObject("outputTruncated").put("chars", text.length()).put("prefix", text.substring(0, MAX_OUTPUT_CHARS));
            }
        }
        stream.write(line.toString());
    }

    private static String requestId(Inspection in) {
        JsonNode id = in.request.path("id");
        String value = id.isTextual() && !id.asText().isBlank() ? id.asText() : in.ctx.request().getHeader("X-Request-Id");
        if (value == null || value.isBlank()) {
            value = java.util.UUID.randomUUID().toString();
        }
        return value.length() > 128 ? value.substring(0, 128) : value;
    }

    private void write(Inspection in, int row, List<String> names) {
        ObjectNode record = json.createObjectNode();
        record.put("time", java.time.Instant.now().toString());
        record.put("requestId", in.requestId);
        record.put("row", row);
        record.put("client", ForensicLog.clientLabel(in.client));
        record.put("model", in.ctx.pathParam("name"));
        record.put("modelRevision", in.revision);
        record.put("action", in.detector.action());
        names.forEach(record.putArray("detectors")::add);
        record.set("scores", in.scores(json, row));
        ObjectNode input = record.putObject("input");
        ArrayNode shape = input.putArray("shape");
        for (int d = 1; d < in.rows.shape().length; d++) {
            shape.add(in.rows.shape()[d]);
        }
        input.set("data", TensorCodec.toJson(in.rows.row(row)));
        boolean written = log.get().append(record.toString(), System.currentTimeMillis());
        registry.counter("robustml_sidecar_forensic_records_total", "result", written ? "written" : "failed").increment();
    }
}
