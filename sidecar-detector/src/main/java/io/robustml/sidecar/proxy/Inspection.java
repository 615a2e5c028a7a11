package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.robustml.sidecar.config.RuntimeConfig;
import io.robustml.sidecar.detect.DetectorSettings;
import io.robustml.sidecar.detect.Findings;
import io.robustml.sidecar.detect.InputRows;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One inference request on its way through the detectors: what came in (fixed), the config it started
 * with (kept to its end whatever a reload does meanwhile), and the detectors' findings as they are made.
 * A request is handled by one event-loop task after another, never two at once.
 */
final class Inspection {
    final RoutingContext ctx;
    final RuntimeConfig cfg;
    final DetectorSettings detector;
    final String source;
    final String client;
    /** The analysis' own key: inspected and answered with the verdicts, never limited, blocked or fallen back on. */
    final boolean analysis;
    /** Whether the answer carries the verdicts per row (the analysis, and clients given a verdict key). */
    final boolean verdicts;
    final JsonNode request;
    final Buffer body;
    /** The request's Inference-Header-Content-Length, null for a plain JSON body. */
    final String headerLength;
    /** The decoded rows; null when no detector inspects (or the batch is empty). */
    final InputRows rows;
    final long received = System.nanoTime();
    private final List<Findings> findings = new ArrayList<>(3);
    long upstreamNanos;
    /** Set once the request is found flagged (forensic identity). */
    String requestId;
    String revision;
    /** Whether a flagged row of it passed the forensic sampler: only then is the request's stdout line written. */
    boolean recordedForensics;

    Inspection(RoutingContext ctx, RuntimeConfig cfg, ClientIdentity.Identity id, JsonNode request, Buffer body,
            String headerLength, InputRows rows) {
        this.ctx = ctx;
        this.cfg = cfg;
        this.detector = analysisSettings(cfg.detector(), id.analysis(),
                ctx.request().getHeader(io.robustml.oip.detector.AnalysisOverride.SQUEEZING_THRESHOLD_HEADER));
        this.source = id.source();
        this.client = id.name();
        this.analysis = id.analysis();
        this.verdicts = id.verdicts();
        this.request = request;
        this.body = body;
        this.headerLength = headerLength;
        this.rows = rows;
    }

    /**
     * The settings a request is judged with: the config's, but for the analysis' own key the squeezing
     * threshold it sends (the flow has checked it; anyone else's header is ignored).
     */
    static io.robustml.sidecar.detect.DetectorSettings analysisSettings(io.robustml.sidecar.detect.DetectorSettings config,
            boolean analysis, String threshold) {
        return analysis && threshold != null
                ? config.withSqueezingThreshold(io.robustml.oip.detector.AnalysisOverride.squeezingThreshold(threshold)) : config;
    }

    void add(Findings f) {
        findings.add(f);
    }

    /** The findings of one kind, if that detector has run. */
    <T extends Findings> T findings(Class<T> type) {
        for (Findings f : findings) {
            if (type.isInstance(f)) {
                return type.cast(f);
            }
        }
        return null;
    }

    int n() {
        return rows == null ? 0 : rows.rows();
    }

    boolean flagged(int row) {
        for (Findings f : findings) {
            if (f.flagged(row)) {
                return true;
            }
        }
        return false;
    }

    boolean[] flags() {
        boolean[] f = new boolean[n()];
        for (int i = 0; i < f.length; i++) {
            f[i] = flagged(i);
        }
        return f;
    }

    boolean any() {
        for (int i = 0; i < n(); i++) {
            if (flagged(i)) {
                return true;
            }
        }
        return false;
    }

    /** The detectors that flagged the row, in the order they ran. */
    List<String> detectors(int row) {
        List<String> names = new ArrayList<>(findings.size());
        for (Findings f : findings) {
            if (f.flagged(row)) {
                names.add(f.detector());
            }
        }
        return names;
    }

    Set<String> flaggedDetectors() {
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < n(); i++) {
            names.addAll(detectors(i));
        }
        return names;
    }

    /** The row's scores from every detector that ran on it. */
    ObjectNode scores(ObjectMapper json, int row) {
        ObjectNode scores = json.createObjectNode();
        for (Findings f : findings) {
            f.writeScores(row, scores);
        }
        return scores;
    }
}
