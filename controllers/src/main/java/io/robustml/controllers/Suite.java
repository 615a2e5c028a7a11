package io.robustml.controllers;

import com.fasterxml.jackson.databind.MapperFeature;
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
 * A hash of the test suite: the threat model and the analysis data. Verdicts and baselines are
 * comparable only within one suite; SLO thresholds are not part of it (changing a threshold
 * re-judges, it does not re-measure).
 */
public final class Suite {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            .build();

    private Suite() {
    }

    public static String of(RobustModelSpec spec) {
        Map<String, Object> suite = new LinkedHashMap<>();
        suite.put("threatModel", spec.threatModel);
        var analysis = spec.rollout == null ? null : spec.rollout.analysis;
        suite.put("dataset", analysis == null ? null : analysis.dataset);
        suite.put("samples", analysis == null ? null : analysis.samples);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(suite));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot hash the suite", e);
        }
    }
}
