package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;

/**
 * The detector's runtime settings from the operator-rendered detector.json ({@code spec.detector}).
 *
 * @param squeezingThreshold flag above this score; null when only a target false-positive rate is
 *                           set and no threshold was calibrated yet: scores are measured, nothing is flagged
 */
public record DetectorSettings(boolean featureSqueezing, String action, Double squeezingThreshold, int bitDepth,
        int medianWindow) {
    public static final int DEFAULT_BIT_DEPTH = 4;
    public static final int DEFAULT_MEDIAN_WINDOW = 2;

    public static DetectorSettings off() {
        return new DetectorSettings(false, "flag", null, DEFAULT_BIT_DEPTH, DEFAULT_MEDIAN_WINDOW);
    }

    /** From the {@code detector} object of detector.json; absent methods default as in the CRD. */
    public static DetectorSettings of(JsonNode detector) {
        if (detector == null || detector.isMissingNode() || detector.isNull()) {
            return off();
        }
        Set<String> methods = new HashSet<>();
        detector.path("methods").forEach(m -> methods.add(m.asText()));
        JsonNode squeezing = detector.path("featureSqueezing");
        Double threshold = squeezing.hasNonNull("threshold") ? new BigDecimal(squeezing.get("threshold").asText()).doubleValue()
                : null;
        return new DetectorSettings(methods.contains("featureSqueezing"), detector.path("action").asText("flag"), threshold,
                squeezing.path("bitDepth").asInt(DEFAULT_BIT_DEPTH), squeezing.path("medianWindow").asInt(DEFAULT_MEDIAN_WINDOW));
    }

    public boolean blocks() {
        return "block".equals(action);
    }
}
