package io.robustml.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The clients file (a Secret the operator mounts): {@code {"clients": [{"name", "sha256", "requestsPerMinute",
 * "burst", "dailyQuota"}]}}. Keys are looked up by the SHA-256 of the presented key; the sidecar never
 * holds a raw key. Limits a client does not name come from {@code detector.rateLimit}.
 */
public final class Clients {
    public record Client(String name, Integer requestsPerMinute, Integer burst, Long dailyQuota) {
        public ClientLimits limits(ClientLimits defaults) {
            int rpm = requestsPerMinute != null ? requestsPerMinute : defaults.requestsPerMinute();
            int b = burst != null ? burst : requestsPerMinute != null ? 0 : defaults.burst();
            return ClientLimits.of(rpm, b, dailyQuota != null ? dailyQuota : defaults.dailyQuota());
        }
    }

    public static final Clients NONE = new Clients(Map.of());

    private final Map<String, Client> bySha256;

    private Clients(Map<String, Client> bySha256) {
        this.bySha256 = bySha256;
    }

    public static Clients of(JsonNode file) {
        if (file == null || !file.isObject() || !file.path("clients").isArray()) {
            throw new IllegalArgumentException("the clients file must be {\"clients\": [...]}");
        }
        Map<String, Client> map = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (JsonNode c : file.get("clients")) {
            String name = c.path("name").asText("");
            String sha = c.path("sha256").asText("");
            if (name.isBlank() || !sha.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("each client needs a name and the lower-hex sha256 of its key (64 hex digits)"
                        + (name.isBlank() ? "" : "; client '" + name + "' has none"));
            }
            if (!names.add(name) || map.containsKey(sha)) {
                throw new IllegalArgumentException("client '" + name + "' (or its key) appears twice in the clients file");
            }
            map.put(sha, new Client(name, optInt(c, "requestsPerMinute"), optInt(c, "burst"),
                    c.hasNonNull("dailyQuota") ? positive(c, "dailyQuota") : null));
        }
        return new Clients(Map.copyOf(map));
    }

    private static Integer optInt(JsonNode c, String field) {
        if (!c.hasNonNull(field)) {
            return null;
        }
        long v = positive(c, field);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("client '" + c.path("name").asText() + "': " + field + " is too large: " + v);
        }
        return (int) v;
    }

    private static long positive(JsonNode c, String field) {
        JsonNode v = c.get(field);
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE * 1000L) {
            throw new IllegalArgumentException("client '" + c.path("name").asText() + "': " + field
                    + " must be a non-negative integer, got " + v);
        }
        return v.asLong();
    }

    /** The client whose key hashes to {@code keySha256}, or null. */
    public Client byKeySha256(String keySha256) {
        return bySha256.get(keySha256);
    }

    public int size() {
        return bySha256.size();
    }

    /** One digest per thread: every request hashes its key, and looking the algorithm up costs more than hashing. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public static String sha256Hex(String key) {
        return sha256Hex(key.getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256Hex(byte[] content) {
        return java.util.HexFormat.of().formatHex(SHA256.get().digest(content)); // digest() resets it
    }
}
