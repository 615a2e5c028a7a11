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
 * @param storeFailsClosed   {@code sharedStore.onFailure: closed}: refuse (503) while the shared store does not answer
 */
public record DetectorSettings(boolean featureSqueezing, String action, Double squeezingThreshold, int bitDepth,
        int medianWindow, boolean querySimilarity, int matchThreshold, int windowSize, int quantization,
        boolean extraction, double extractionDelta, Fallback fallback, OutputHardening hardening,
        boolean forensicLog, long forensicRetentionSeconds, boolean storeFailsClosed) {
    /**
     * spec.detector.fallback: {@code abstain} (200, no prediction, parameters.abstained) or {@code service}
     * (the request is answered by another Open Inference Protocol service in the namespace).
     */
    public record Fallback(String type, String serviceName, int servicePort) {
        public boolean abstains() {
            return !"service".equals(type);
        }
    }

    /** PRADA's δ when the config names none: DESIGN §8 measured 0.90–0.92 with no ordinary client flagged. */
    public static final double DEFAULT_EXTRACTION_DELTA = 0.90;
    /** spec.detector.forensicLog.retention's default, 720h. */
    public static final long DEFAULT_FORENSIC_RETENTION_SECONDS = 720L * 3600;
    public static final int DEFAULT_BIT_DEPTH = 4;
    public static final int DEFAULT_MEDIAN_WINDOW = 2;
    /** Blacklight defaults that kept clean false positives at 0.02–0.25 % on Fashion-MNIST (DESIGN §8). */
    public static final int DEFAULT_MATCH_THRESHOLD = 20;
    public static final int DEFAULT_WINDOW_SIZE = io.robustml.oip.similarity.Fingerprints.DEFAULT_WINDOW_SIZE;
    public static final int DEFAULT_QUANTIZATION = io.robustml.oip.similarity.Fingerprints.DEFAULT_QUANTIZATION;
    /** Hashes kept per query. */
    public static final int TOP_HASHES = io.robustml.oip.similarity.Fingerprints.TOP_HASHES;

    public static DetectorSettings off() {
        return new DetectorSettings(false, "flag", null, DEFAULT_BIT_DEPTH, DEFAULT_MEDIAN_WINDOW, false,
                DEFAULT_MATCH_THRESHOLD, DEFAULT_WINDOW_SIZE, DEFAULT_QUANTIZATION, false, DEFAULT_EXTRACTION_DELTA, null,
                OutputHardening.NONE, true, DEFAULT_FORENSIC_RETENTION_SECONDS, false);
    }

    /** Feature squeezing only, as the calibration command and tests use it. */
    public static DetectorSettings squeezing(Double threshold, int bitDepth, int medianWindow) {
        return new DetectorSettings(true, "flag", threshold, bitDepth, medianWindow, false, DEFAULT_MATCH_THRESHOLD,
                DEFAULT_WINDOW_SIZE, DEFAULT_QUANTIZATION, false, DEFAULT_EXTRACTION_DELTA, null, OutputHardening.NONE, true,
                DEFAULT_FORENSIC_RETENTION_SECONDS, false);
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
        JsonNode extraction = detector.path("extraction");
        double delta = extraction.hasNonNull("delta") ? new BigDecimal(extraction.get("delta").asText()).doubleValue()
                : DEFAULT_EXTRACTION_DELTA;
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("detector.extraction.delta must be in (0, 1), got " + delta);
        }
        JsonNode fb = detector.path("fallback");
        Fallback fallback = fb.isObject() ? new Fallback(fb.path("type").asText("abstain"), fb.at("/service/name").asText(null),
                fb.at("/service/port").asInt(80)) : null;
        String action = detector.path("action").asText("flag");
        if ("fallback".equals(action) && fallback == null) {
            throw new IllegalArgumentException("action fallback needs detector.fallback");
        }
        if (fallback != null && !fallback.abstains() && fallback.serviceName() == null) {
            throw new IllegalArgumentException("fallback type service needs fallback.service.name");
        }
        JsonNode log = detector.path("forensicLog");
        return new DetectorSettings(methods.contains("featureSqueezing"), action, threshold,
                squeezing.path("bitDepth").asInt(DEFAULT_BIT_DEPTH), squeezing.path("medianWindow").asInt(DEFAULT_MEDIAN_WINDOW),
                methods.contains("querySimilarity"), similarity.path("matchThreshold").asInt(DEFAULT_MATCH_THRESHOLD),
                similarity.path("windowSize").asInt(DEFAULT_WINDOW_SIZE), similarity.path("quantization").asInt(DEFAULT_QUANTIZATION),
                methods.contains("extraction"), delta, fallback, OutputHardening.of(detector.path("outputHardening")),
                log.path("enabled").asBoolean(true), log.hasNonNull("retention") ? durationSeconds(log.get("retention").asText())
                        : DEFAULT_FORENSIC_RETENTION_SECONDS, "closed".equals(detector.at("/sharedStore/onFailure").asText("open")));
    }

    /** "90s", "30m", "720h" (the CRD's duration pattern) in seconds. */
    static long durationSeconds(String text) {
        if (!text.matches("[1-9][0-9]{0,5}[smh]")) {
            throw new IllegalArgumentException("duration must look like 90s, 30m or 720h, got '" + text + "'");
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            default -> n * 3600;
        };
    }

    public boolean inspects() {
        return featureSqueezing || querySimilarity || extraction;
    }

    public boolean fallsBack() {
        return "fallback".equals(action) && fallback != null;
    }

    public boolean blocks() {
        return "block".equals(action);
    }
}
