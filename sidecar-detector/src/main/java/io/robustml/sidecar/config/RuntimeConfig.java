package io.robustml.sidecar.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.sidecar.detect.DetectorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every runtime setting of the sidecar, from detector.json and the clients file: one immutable snapshot,
 * swapped atomically on reload. A request uses the snapshot it started with.
 *
 * @param sha256 of the detector.json bytes in force ("" when there is no detector config)
 */
public record RuntimeConfig(String model, DetectorSettings detector, ClientLimits rateLimit, List<BlockedClient> blockedClients,
        Authentication authentication, Clients clients, String sha256) {
    private static final Set<String> ACTIONS = Set.of("flag", "block", "fallback");
    private static final Set<String> METHODS = Set.of("featureSqueezing", "querySimilarity", "extraction");

    /** No detector.json configured: detectors off, limits from the sidecar's properties. */
    public static RuntimeConfig withoutDetectorConfig(ClientLimits propertyLimits) {
        return new RuntimeConfig("default", DetectorSettings.off(), propertyLimits, List.of(), Authentication.NONE, Clients.NONE, "");
    }

    /**
     * Parses and validates; throws IllegalArgumentException with a reason a human can act on.
     *
     * @param clientsFile the clients file's content, null when there is none
     * @param propertyLimits the rate limit from properties, used when detector.json names none
     */
    public static RuntimeConfig parse(ObjectMapper json, byte[] detectorJson, byte[] clientsFile, ClientLimits propertyLimits) {
        JsonNode root = tree(json, detectorJson, "detector config");
        if (!root.isObject()) {
            throw new IllegalArgumentException("the detector config must be a JSON object");
        }
        JsonNode d = root.path("detector");
        if (!d.isMissingNode() && !d.isNull() && !d.isObject()) {
            throw new IllegalArgumentException("detector must be an object");
        }
        String action = d.path("action").asText("flag");
        if (!ACTIONS.contains(action)) {
            throw new IllegalArgumentException("unknown detector.action '" + action + "' (flag, block or fallback)");
        }
        for (JsonNode m : d.path("methods")) {
            if (!METHODS.contains(m.asText())) {
                throw new IllegalArgumentException("unknown detector method '" + m.asText() + "' (" + METHODS + ")");
            }
        }
        String fallbackType = d.path("fallback").path("type").asText("abstain");
        if (!fallbackType.equals("abstain") && !fallbackType.equals("service")) {
            throw new IllegalArgumentException("detector.fallback.type must be abstain or service, got '" + fallbackType + "'");
        }
        DetectorSettings settings;
        try {
            settings = DetectorSettings.of(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a detector number is not a number: " + e.getMessage());
        }
        validate(settings);
        ClientLimits limits = rateLimit(d.path("rateLimit"), propertyLimits);
        List<BlockedClient> blocked = new ArrayList<>();
        JsonNode b = d.path("blockedClients");
        if (!b.isMissingNode() && !b.isNull() && !b.isArray()) {
            throw new IllegalArgumentException("detector.blockedClients must be a list");
        }
        for (JsonNode entry : b) {
            blocked.add(BlockedClient.of(entry));
        }
        Authentication auth = Authentication.of(d.path("authentication"));
        Clients clients = clientsFile == null ? Clients.NONE : Clients.of(tree(json, clientsFile, "clients file"));
        return new RuntimeConfig(root.path("model").asText("default"), settings, limits, List.copyOf(blocked), auth, clients,
                Clients.sha256Hex(detectorJson));
    }

    private static JsonNode tree(ObjectMapper json, byte[] content, String what) {
        try {
            JsonNode node = json.readTree(content);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("the " + what + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the " + what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the " + what + " cannot be read: " + e.getMessage());
        }
    }

    private static void validate(DetectorSettings s) {
        if (s.squeezingThreshold() != null && !(s.squeezingThreshold() >= 0 && s.squeezingThreshold() <= 2)) {
            throw new IllegalArgumentException("featureSqueezing.threshold must be in [0, 2], got " + s.squeezingThreshold());
        }
        if (s.bitDepth() < 1 || s.bitDepth() > 8) {
            throw new IllegalArgumentException("featureSqueezing.bitDepth must be 1-8, got " + s.bitDepth());
        }
        if (s.medianWindow() < 1 || s.medianWindow() > 10) {
            throw new IllegalArgumentException("featureSqueezing.medianWindow must be 1-10, got " + s.medianWindow());
        }
        if (s.matchThreshold() < 1 || s.matchThreshold() > DetectorSettings.TOP_HASHES) {
            throw new IllegalArgumentException("querySimilarity.matchThreshold must be 1-" + DetectorSettings.TOP_HASHES + ", got "
                    + s.matchThreshold());
        }
        if (s.windowSize() < 1 || s.quantization() < 1 || s.quantization() > 255) {
            throw new IllegalArgumentException("querySimilarity.windowSize must be ≥ 1 and quantization 1-255");
        }
    }

    private static ClientLimits rateLimit(JsonNode limit, ClientLimits propertyLimits) {
        if (limit.isMissingNode() || limit.isNull()) {
            return propertyLimits;
        }
        if (!limit.isObject()) {
            throw new IllegalArgumentException("detector.rateLimit must be an object");
        }
        return ClientLimits.of(integer(limit, "requestsPerMinute"), integer(limit, "burst"),
                limit.hasNonNull("dailyQuota") ? integer(limit, "dailyQuota") : 0);
    }

    private static int integer(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw new IllegalArgumentException("detector.rateLimit." + field + " must be a non-negative integer, got " + v);
        }
        return v.asInt();
    }

    /** The first entry of blockedClients matching the client, or null. */
    public BlockedClient blocked(String verifiedName, String sourceAddress) {
        for (BlockedClient b : blockedClients) {
            if (b.matches(verifiedName, sourceAddress)) {
                return b;
            }
        }
        return null;
    }

    /** First 12 hex digits of the config's sha256, for the info metric and logs. */
    public String shortSha() {
        return sha256.length() >= 12 ? sha256.substring(0, 12) : sha256;
    }
}
