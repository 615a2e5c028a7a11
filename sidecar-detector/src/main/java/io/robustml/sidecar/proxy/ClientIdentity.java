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
 * A key of {@code robustml.verdict-api-keys} (the operator puts the analysis' key there) sees the verdicts.
 * Unless the clients file names it, it is the analysis, {@code robustml-tester}, in both modes: exempt from
 * limits, blocking and fallback, counted apart.
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
     * @param analysis true for the analysis' own key (the operator's tester)
     * @param verdicts true when the answer may carry the detectors' verdicts per row
     */
    public record Identity(String name, boolean verified, ClientLimits limits, String denied, String source, boolean analysis,
            boolean verdicts) {
        static Identity denied(String why, String source) {
            return new Identity(null, false, ClientLimits.NONE, why, source, false, false);
        }
    }

    private ClientIdentity() {
    }

    public static Identity resolve(RuntimeConfig config, String apiKey, String sourceAddress, Set<String> verdictKeySha256s) {
        Authentication auth = config.authentication();
        boolean presented = apiKey != null && !apiKey.isBlank();
        String sha = presented ? Clients.sha256Hex(apiKey) : null;
        boolean verdicts = presented && verdictKeySha256s.contains(sha);
        Clients.Client client = presented && auth.apiKeys() ? config.clients().byKeySha256(sha) : null;
        if (client != null) {
            return new Identity(client.name(), true, client.limits(config.rateLimit()), null, sourceAddress, false, verdicts);
        }
        if (verdicts) {
            return new Identity(TESTER, true, ClientLimits.NONE, null, sourceAddress, true, true);
        }
        Identity anonymous = new Identity("addr:" + sourceAddress, false, config.rateLimit(), null, sourceAddress, false, false);
        if (!auth.apiKeys()) {
            return anonymous;
        }
        if (auth.anonymous() == Authentication.Anonymous.SOURCE_ADDRESS) {
            return anonymous;
        }
        return Identity.denied(presented ? "unknown API key" : "an API key is required (header " + API_KEY_HEADER + ")",
                sourceAddress);
    }
}
