package io.robustml.sidecar.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.detector.DetectorConfig;
import io.robustml.sidecar.detect.DetectorSettings;
import java.util.List;

/**
 * Every runtime setting of the sidecar, from detector.json and the clients file: one immutable snapshot,
 * swapped atomically on reload. A request uses the snapshot it started with.
 *
 * @param sha256 of the detector.json bytes in force ("" when there is no detector config)
 */
public record RuntimeConfig(String model, DetectorSettings detector, ClientLimits rateLimit, List<BlockedClient> blockedClients,
        Authentication authentication, Clients clients, String sha256) {
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
        DetectorConfig config = DetectorConfig.read(json, detectorJson);
        DetectorConfig.Detector d = config.detector();
        DetectorConfig.RateLimit limit = d.rateLimit();
        ClientLimits limits = limit == null ? propertyLimits : ClientLimits.of(limit.requestsPerMinute(), limit.burst(), limit.dailyQuota());
        List<BlockedClient> blocked = d.blockedClients().stream().map(BlockedClient::of).toList();
        Authentication auth = Authentication.of(d.authentication());
        Clients clients = clientsFile == null ? Clients.NONE : Clients.of(tree(json, clientsFile));
        return new RuntimeConfig(config.model(), DetectorSettings.of(config), limits, blocked, auth, clients, Clients.sha256Hex(detectorJson));
    }

    private static JsonNode tree(ObjectMapper json, byte[] content) {
        try {
            JsonNode node = json.readTree(content);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException("the clients file is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the clients file is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the clients file cannot be read: " + e.getMessage());
        }
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
