package io.robustml.controllers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.robustml.crds.model.RobustModelSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A revision is a hash of what changes the serving pods: the model, {@code serving}, and which
 * detectors are compiled in. Detector runtime settings, SLOs and rollout settings are not part of it
 * (DESIGN §3): changing them must never start a rollout.
 */
public final class Revision {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .build();

    private Revision() {
    }

    /** Ten lower-case hex characters, stable across operator versions for an unchanged spec. */
    public static String of(RobustModelSpec spec) {
        Map<String, Object> podShaping = new LinkedHashMap<>();
        podShaping.put("model", spec.model);
        // Replicas scale the revision; they do not change its pods.
        @SuppressWarnings("unchecked")
        Map<String, Object> serving = spec.serving == null ? null : CANONICAL.convertValue(spec.serving, Map.class);
        if (serving != null) {
            serving.remove("replicas");
        }
        podShaping.put("serving", serving);
        podShaping.put("detectorMethods", spec.detector == null ? null : spec.detector.methods);
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(podShaping);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash the spec", e);
        }
    }
}
