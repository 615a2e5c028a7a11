package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Model-extraction detection by PRADA ({@link Prada}): each row joins its client's history under the
 * class the model gave it, so it needs the model's answer.
 */
public final class ExtractionDetector {
    public static final String NAME = "extraction";

    private final Prada prada;
    private final DistributionSummary shapiroW;

    /** PRADA's verdict per row (the client's state after the row). */
    public record Result(Prada.Verdict[] verdicts) implements Findings {
        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public boolean flagged(int row) {
            return verdicts[row].flagged();
        }

        @Override
        public void writeScores(int row, ObjectNode scores) {
            Prada.Verdict v = verdicts[row];
            if (Double.isNaN(v.w())) {
                scores.putNull("extractionShapiroW");
            } else {
                scores.put("extractionShapiroW", v.w());
            }
            scores.put("extractionDistances", v.distances());
        }
    }

    public ExtractionDetector(Prada prada, MeterRegistry registry) {
        this.prada = prada;
        this.shapiroW = DistributionSummary.builder("robustml_sidecar_extraction_shapiro_w")
                .description("PRADA: Shapiro-Wilk W of the client's minimum-distance distribution (0-1), per tested input")
                .serviceLevelObjectives(0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98).register(registry);
        Gauge.builder("robustml_sidecar_extraction_clients", prada, Prada::clients)
                .description("Clients whose query history PRADA holds").register(registry);
        Gauge.builder("robustml_sidecar_extraction_stored_values", prada, Prada::storedValues)
                .description("Input values held in PRADA's growing sets, all clients").register(registry);
        FunctionCounter.builder("robustml_sidecar_extraction_evictions_total", prada, Prada::evictions)
                .description("Clients PRADA forgot (capacity, memory budget or age)").register(registry);
    }

    public Prada prada() {
        return prada;
    }

    public Result observe(String client, InputRows rows, JsonNode answer) {
        return observe(client, rows, answer, DetectorSettings.off());
    }

    /** As above, each row as the settings' detectors see it (a tabular row scaled by its columns). */
    public Result observe(String client, InputRows rows, JsonNode answer, DetectorSettings settings) {
        int n = rows.rows();
        int[] classes = predictedClasses(answer, n);
        Prada.Verdict[] verdicts = new Prada.Verdict[n];
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            verdicts[i] = prada.observe(client, settings.row(rows.row(i)), classes[i], now);
            if (!Double.isNaN(verdicts[i].w())) {
                shapiroW.record(verdicts[i].w());
            }
        }
        return new Result(verdicts);
    }

    /**
     * The class per row: the arg-max of the first floating-point output of shape [n, classes], else an
     * integer output of shape [n]; 0 for every row when the answer has neither (PRADA then uses one set).
     */
    static int[] predictedClasses(JsonNode answer, int n) {
        int[] classes = new int[n];
        JsonNode label = null;
        for (JsonNode o : answer.path("outputs")) {
            JsonNode shape = o.path("shape");
            JsonNode data = o.path("data");
            if (!shape.isArray() || shape.isEmpty() || shape.get(0).asLong() != n || !data.isArray()) {
                continue;
            }
            if (shape.size() == 2 && o.path("datatype").asText("").startsWith("FP") && shape.get(1).asLong() > 0
                    && data.size() == n * shape.get(1).asLong()) {
                int c = (int) shape.get(1).asLong();
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    for (int k = 1; k < c; k++) {
                        if (data.get(i * c + k).asDouble() > data.get(i * c + best).asDouble()) {
                            best = k;
                        }
                    }
                    classes[i] = best;
                }
                return classes;
            }
            if (shape.size() == 1 && label == null && data.size() == n) {
                label = data;
            }
        }
        if (label != null) {
            for (int i = 0; i < n; i++) {
                classes[i] = label.get(i).asInt();
            }
        }
        return classes;
    }
}
