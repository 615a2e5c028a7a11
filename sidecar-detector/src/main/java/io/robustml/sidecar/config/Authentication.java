package io.robustml.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code detector.authentication}: whether API keys are checked against the clients file, what a
 * request with a missing or unknown key gets, and which peers may set {@code X-Forwarded-For}.
 * Without the block the identity is the source address and the API-key header plays no part in it,
 * so inventing a key per request gains an attacker nothing.
 */
public record Authentication(boolean present, boolean apiKeys, Anonymous anonymous, List<Cidr> trustedProxies) {
    public enum Anonymous {
        DENY, SOURCE_ADDRESS
    }

    public static final Authentication NONE = new Authentication(false, false, Anonymous.SOURCE_ADDRESS, List.of());

    public static Authentication of(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("detector.authentication must be an object");
        }
        JsonNode keys = node.path("apiKeys");
        if (!keys.isMissingNode() && !keys.isBoolean()) {
            throw new IllegalArgumentException("detector.authentication.apiKeys must be true or false");
        }
        boolean apiKeys = keys.asBoolean(false);
        Anonymous anonymous;
        String a = node.path("anonymous").asText(apiKeys ? "deny" : "sourceAddress");
        switch (a) {
            case "deny" -> anonymous = Anonymous.DENY;
            case "sourceAddress" -> anonymous = Anonymous.SOURCE_ADDRESS;
            default -> throw new IllegalArgumentException("detector.authentication.anonymous must be deny or sourceAddress, got '"
                    + a + "'");
        }
        if (!apiKeys && anonymous == Anonymous.DENY) {
            throw new IllegalArgumentException("detector.authentication.anonymous deny needs apiKeys: true (it would deny everyone)");
        }
        List<Cidr> proxies = new ArrayList<>();
        JsonNode tp = node.path("trustedProxies");
        if (!tp.isMissingNode() && !tp.isArray()) {
            throw new IllegalArgumentException("detector.authentication.trustedProxies must be a list of CIDRs");
        }
        for (JsonNode c : tp) {
            proxies.add(Cidr.parse(c.asText()));
        }
        return new Authentication(true, apiKeys, anonymous, List.copyOf(proxies));
    }
}
