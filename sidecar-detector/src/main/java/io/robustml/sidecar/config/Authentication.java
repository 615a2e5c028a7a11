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

    /** From detector.json's {@code authentication} (null: none); the trusted proxies' CIDRs are parsed here. */
    public static Authentication of(io.robustml.oip.detector.DetectorConfig.Authentication spec) {
        if (spec == null) {
            return NONE;
        }
        Anonymous anonymous = spec.anonymous() == io.robustml.oip.detector.DetectorConfig.Anonymous.DENY ? Anonymous.DENY
                : Anonymous.SOURCE_ADDRESS;
        return new Authentication(true, spec.apiKeys(), anonymous, spec.trustedProxies().stream().map(Cidr::parse).toList());
    }
}
