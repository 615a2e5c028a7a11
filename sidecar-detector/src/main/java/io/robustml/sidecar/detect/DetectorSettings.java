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
        int medianWindow, boolean querySimilarity, int matchThreshold, int windowSize, int quantization) {
    public static final int DEFAULT_BIT_DEPTH = 4;
    public static final int DEFAULT_MEDIAN_WINDOW = 2;
    /** Blacklight defaults that kept clean false positives at 0.02–0.25 % on Fashion-MNIST (DESIGN §8). */
    public static final int DEFAULT_MATCH_THRESHOLD = 20;
    public static final int DEFAULT_WINDOW_SIZE = 25;
    public static final int DEFAULT_QUANTIZATION = 25;
    /** Hashes kept per query. */
    public static final int TOP_HASHES = 50;

    public static DetectorSettings off() {
        return new DetectorSettings(false, "flag", null, DEFAULT_BIT_DEPTH, DEFAULT_MEDIAN_WINDOW, false,
                DEFAULT_MATCH_THRESHOLD, DEFAULT_WINDOW_SIZE, DEFAULT_QUANTIZATION);
    }

    /** Feature squeezing only, as the calibration command and tests use it. */
    public static DetectorSettings squeezing(Double threshold, int bitDepth, int medianWindow) {
        return new DetectorSettings(true, "flag", threshold, bitDepth, medianWindow, false, DEFAULT_MATCH_THRESHOLD,
                DEFAULT_WINDOW_SIZE, DEFAULT_QUANTIZATION);
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
        JsonNode similarity = detector.path("querySimilarity");
        return new DetectorSettings(methods.contains("featureSqueezing"), detector.path("action").asText("flag"), threshold,
                squeezing.path("bitDepth").asInt(DEFAULT_BIT_DEPTH), squeezing.path("medianWindow").asInt(DEFAULT_MEDIAN_WINDOW),
                methods.contains("querySimilarity"), similarity.path("matchThreshold").asInt(DEFAULT_MATCH_THRESHOLD),
                similarity.path("windowSize").asInt(DEFAULT_WINDOW_SIZE), similarity.path("quantization").asInt(DEFAULT_QUANTIZATION));
    }

    public boolean inspects() {
        return featureSqueezing || querySimilarity;
    }

    public boolean blocks() {
        return "block".equals(action);
    }
}
