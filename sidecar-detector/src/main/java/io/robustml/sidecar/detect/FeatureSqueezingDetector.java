package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Feature squeezing (Xu, Evans and Qi, NDSS 2018): the model's answers to a row and to its squeezed
 * copies compared; a score above the threshold flags the row. The copies travel in the same upstream
 * call ({@link SqueezingInspection}); this class turns the split answer into findings.
 */
public final class FeatureSqueezingDetector {
    public static final String NAME = "featureSqueezing";

    private final DistributionSummary scoreSummary;

    /** Scores per row (max L1 distance of softmax outputs, 0-2) and whether each passed the threshold. */
    public record Result(double[] scores, boolean[] squeezed) implements Findings {
        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public boolean flagged(int row) {
            return squeezed[row];
        }

        @Override
        public void writeScores(int row, ObjectNode scores) {
            scores.put("featureSqueezing", this.scores[row]);
        }
    }

    public FeatureSqueezingDetector(MeterRegistry registry) {
        this.scoreSummary = DistributionSummary.builder("robustml_sidecar_squeezing_score")
                .description("Feature-squeezing score per input (max L1 distance of softmax outputs, 0-2)")
                .serviceLevelObjectives(0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5).register(registry);
    }

    /** The upstream request carrying the rows and their squeezed copies. */
    public SqueezingInspection prepare(JsonNode request, InputRows rows, DetectorSettings settings) {
        return SqueezingInspection.of(request, rows, settings);
    }

    /** Findings from the scores of the split answer; with no threshold yet (calibration pending) nothing is flagged. */
    public Result score(double[] scores, DetectorSettings settings) {
        boolean[] squeezed = new boolean[scores.length];
        Double threshold = settings.squeezingThreshold();
        for (int i = 0; i < scores.length; i++) {
            scoreSummary.record(scores[i]);
            squeezed[i] = threshold != null && scores[i] > threshold;
        }
        return new Result(scores, squeezed);
    }
}
