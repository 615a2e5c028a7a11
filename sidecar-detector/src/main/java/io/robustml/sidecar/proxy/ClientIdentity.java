package io.robustml.sidecar.proxy;

import io.robustml.sidecar.config.Authentication;
import io.robustml.sidecar.config.ClientLimits;
import io.robustml.sidecar.config.Clients;
import io.robustml.sidecar.config.RuntimeConfig;
import java.util.Set;

/**
 * Who is asking, for limits, quotas, blocking, PRADA and the forensic record. A pure decision from the
 * config in force, the presented {@code X-API-Key} and the effective source address:
 * <ul>
 * <li>no {@code detector.authentication}: the source address ({@code addr:<ip>}); the header is ignored,
 * so a key invented per request does not make a new client;</li>
 * <li>{@code apiKeys: true}: the key's SHA-256 is looked up in the clients file; a known key is its
 * client's name; a missing or unknown key is refused ({@code anonymous: deny}) or is the source address
 * ({@code anonymous: sourceAddress}).</li>
 * </ul>
 * The tester's key ({@code robustml.verdict-api-keys}) is a known client, {@code robustml-tester}.
 * Raw keys are never stored or returned; only their hashes are compared.
 */
public final class ClientIdentity {
    public static final String API_KEY_HEADER = "X-API-Key";
    public static final String FORWARDED_FOR_HEADER = "X-Forwarded-For";
    public static final String TESTER = "robustml-tester";

    /**
     * @param name     the client: a verified client name, or {@code addr:<ip>}
     * @param verified true when the name comes from a checked API key
     * @param denied   why the request is refused with 401, or null
     */
    public record Identity(String name, boolean verified, ClientLimits limits, String denied, String source) {
        static Identity denied(String why, String source) {
            return new Identity(null, false, ClientLimits.NONE, why, source);
        }
    }

    private ClientIdentity() {
    }

    public static Identity resolve(RuntimeConfig config, String apiKey, String sourceAddress, Set<String> verdictKeySha256s) {
        Authentication auth = config.authentication();
        Identity anonymous = new Identity("addr:" + sourceAddress, false, config.rateLimit(), null, sourceAddress);
        if (!auth.apiKeys()) {
            return anonymous;
        }
        boolean presented = apiKey != null && !apiKey.isBlank();
        if (presented) {
            String sha = Clients.sha256Hex(apiKey);
            Clients.Client client = config.clients().byKeySha256(sha);
            if (client != null) {
                return new Identity(client.name(), true, client.limits(config.rateLimit()), null, sourceAddress);
            }
            if (verdictKeySha256s.contains(sha)) {
                return new Identity(TESTER, true, config.rateLimit(), null, sourceAddress);
            }
        }
        if (auth.anonymous() == Authentication.Anonymous.SOURCE_ADDRESS) {
            return anonymous;
        }
        return Identity.denied(presented ? "unknown API key" : "an API key is required (header " + API_KEY_HEADER + ")",
                sourceAddress);
    }
}
