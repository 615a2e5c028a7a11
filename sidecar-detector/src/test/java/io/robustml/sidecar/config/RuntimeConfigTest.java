package io.robustml.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.sidecar.proxy.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClientLimits PROPS = ClientLimits.of(60, 0, 0);

    static RuntimeConfig parse(String detector, String clients) {
        return RuntimeConfig.parse(JSON, detector.getBytes(StandardCharsets.UTF_8),
                clients == null ? null : clients.getBytes(StandardCharsets.UTF_8), PROPS);
    }

    static String clients(String... nameKey) {
        StringBuilder sb = new StringBuilder("{\"clients\":[");
        for (int i = 0; i < nameKey.length; i += 2) {
            sb.append(i == 0 ? "" : ",").append("{\"name\":\"").append(nameKey[i]).append("\",\"sha256\":\"")
                    .append(Clients.sha256Hex(nameKey[i + 1])).append("\",\"dailyQuota\":5}");
        }
        return sb.append("]}").toString();
    }

    @Test
    void parsesEverySettingWithDefaults() {
        RuntimeConfig c = parse("""
                {"model":"fashion","detector":{"methods":["querySimilarity","featureSqueezing"],"action":"block",
                 "featureSqueezing":{"threshold":"0.65","bitDepth":3},"rateLimit":{"requestsPerMinute":600,"burst":100,"dailyQuota":1000},
                 "blockedClients":[{"apiKey":"team-b","reason":"scraping"},{"cidr":"2001:db8::/32"}],
                 "authentication":{"apiKeys":true,"trustedProxies":["10.0.0.0/8"]}}}""", clients("team-a", "secret-a"));
        assertThat(c.model()).isEqualTo("fashion");
        assertThat(c.detector().blocks()).isTrue();
        assertThat(c.detector().squeezingThreshold()).isEqualTo(0.65);
        assertThat(c.detector().bitDepth()).isEqualTo(3);
        assertThat(c.rateLimit()).isEqualTo(new ClientLimits(600, 100, 1000));
        assertThat(c.blockedClients()).hasSize(2);
        assertThat(c.blocked("team-b", "192.0.2.1").reason()).isEqualTo("scraping");
        assertThat(c.blocked(null, "2001:db8::5")).isNotNull();
        assertThat(c.blocked("team-a", "192.0.2.1")).isNull();
        assertThat(c.authentication().apiKeys()).isTrue();
        assertThat(c.authentication().anonymous()).isEqualTo(Authentication.Anonymous.DENY);
        assertThat(c.clients().size()).isEqualTo(1);
        assertThat(c.sha256()).hasSize(64);
        // no rateLimit in detector.json: the sidecar's properties
        assertThat(parse("{\"model\":\"m\"}", null).rateLimit()).isEqualTo(new ClientLimits(60, 10, 0));
        assertThat(parse("{\"model\":\"m\"}", null).authentication()).isEqualTo(Authentication.NONE);
    }

    @Test
    void rejectsMalformedOrInvalidConfigsWithAReason() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("{\"model\":", "not valid JSON"),
                Map.entry("", "empty"),
                Map.entry("[1,2]", "must be a JSON object"),
                Map.entry("{\"detector\":{\"action\":\"explode\"}}", "detector.action: 'explode' is not one of [flag, block, fallback]"),
                Map.entry("{\"detector\":{\"methods\":[\"telepathy\"]}}", "detector.methods[0]: 'telepathy' is not one of"),
                Map.entry("{\"detector\":{\"blockedClients\":[{\"cidr\":\"10.0.0.0/40\"}]}}", "bad prefix length"),
                Map.entry("{\"detector\":{\"blockedClients\":[{\"cidr\":\"evil.example\"}]}}", "not an IP address"),
                Map.entry("{\"detector\":{\"blockedClients\":[{\"cidr\":\"10.0.0.0/8\",\"apiKey\":\"a\"}]}}", "exactly one of"),
                Map.entry("{\"detector\":{\"blockedClients\":{}}}", "must be a list"),
                Map.entry("{\"detector\":{\"authentication\":{\"anonymous\":\"maybe\",\"apiKeys\":true}}}", "detector.authentication.anonymous: 'maybe' is not one of [deny, sourceAddress]"),
                Map.entry("{\"detector\":{\"authentication\":{\"anonymous\":\"deny\"}}}", "needs apiKeys: true"),
                Map.entry("{\"detector\":{\"authentication\":{\"apiKeys\":\"yes\"}}}", "true or false"),
                Map.entry("{\"detector\":{\"authentication\":{\"trustedProxies\":[\"proxy.local\"]}}}", "not an IP address"),
                Map.entry("{\"detector\":{\"rateLimit\":{\"requestsPerMinute\":-5}}}", "non-negative integer"),
                Map.entry("{\"detector\":{\"rateLimit\":{\"requestsPerMinute\":\"lots\"}}}", "detector.rateLimit.requestsPerMinute: 'lots' is not an integer"),
                Map.entry("{\"detector\":{\"rateLimit\":{\"burst\":1.5}}}", "detector.rateLimit.burst: '1.5' is not an integer"),
                Map.entry("{\"detector\":7}", "detector must be an object"),
                Map.entry("{\"detector\":{\"forensicLog\":{\"retention\":\"1d\"}}}", "retention must look like"),
                Map.entry("{\"detector\":{\"featureSqueezing\":{\"threshold\":\"abc\"}}}", "not a number"),
                Map.entry("{\"detector\":{\"featureSqueezing\":{\"threshold\":5}}}", "threshold must be in [0, 2]"),
                Map.entry("{\"detector\":{\"featureSqueezing\":{\"bitDepth\":0}}}", "bitDepth must be 1-8"),
                Map.entry("{\"detector\":{\"extraction\":{\"delta\":1.5}}}", "delta must be in (0, 1)"),
                Map.entry("{\"detector\":{\"querySimilarity\":{\"matchThreshold\":0}}}", "matchThreshold"),
                Map.entry("{\"detector\":{\"action\":\"fallback\"}}", "action fallback needs detector.fallback"),
                Map.entry("{\"detector\":{\"fallback\":{\"type\":\"pray\"}}}", "detector.fallback.type: 'pray' is not one of [abstain, service]"));
        bad.forEach((config, reason) -> assertThatThrownBy(() -> parse(config, null)).as(config)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason));
        assertThatThrownBy(() -> parse("{}", "{\"clients\":[{\"name\":\"a\",\"sha256\":\"ABC\"}]}"))
                .hasMessageContaining("lower-hex sha256");
        assertThatThrownBy(() -> parse("{}", "{\"clients\":[{\"name\":\"a\",\"sha256\":\"" + "a".repeat(64) + "\"},"
                + "{\"name\":\"a\",\"sha256\":\"" + "b".repeat(64) + "\"}]}")).hasMessageContaining("twice");
        assertThatThrownBy(() -> parse("{}", "{\"clients\":[{\"name\":\"a\",\"sha256\":\"" + "a".repeat(64)
                + "\",\"dailyQuota\":-1}]}")).hasMessageContaining("dailyQuota");
        assertThatThrownBy(() -> parse("{}", "not json")).hasMessageContaining("clients file is not valid JSON");
    }

    @Test
    void resolvesIdentitiesWithoutTrustingInventedKeys() {
        Set<String> tester = Set.of(Clients.sha256Hex("tester-key"));
        // no authentication block: the source address, whatever key is sent
        RuntimeConfig none = parse("{\"model\":\"m\"}", clients("team-a", "secret-a"));
        assertThat(ClientIdentity.resolve(none, "invented-1", "192.0.2.1", tester).name()).isEqualTo("addr:192.0.2.1");
        assertThat(ClientIdentity.resolve(none, "secret-a", "192.0.2.1", tester).name()).isEqualTo("addr:192.0.2.1");
        // the analysis' key is the analysis in both modes: unlimited, sees verdicts
        ClientIdentity.Identity analysis = ClientIdentity.resolve(none, "tester-key", "192.0.2.1", tester);
        assertThat(analysis.name()).isEqualTo(ClientIdentity.TESTER);
        assertThat(analysis.analysis()).isTrue();
        assertThat(analysis.verdicts()).isTrue();
        assertThat(analysis.limits()).isEqualTo(ClientLimits.NONE);
        // apiKeys, anonymous deny
        RuntimeConfig deny = parse("{\"detector\":{\"authentication\":{\"apiKeys\":true},\"rateLimit\":{\"requestsPerMinute\":60}}}",
                clients("team-a", "secret-a"));
        ClientIdentity.Identity a = ClientIdentity.resolve(deny, "secret-a", "192.0.2.1", tester);
        assertThat(a.name()).isEqualTo("team-a");
        assertThat(a.verified()).isTrue();
        assertThat(a.limits()).isEqualTo(new ClientLimits(60, 10, 5)); // quota from the file, rate from detector.rateLimit
        assertThat(ClientIdentity.resolve(deny, "invented", "192.0.2.1", tester).denied()).isEqualTo("unknown API key");
        assertThat(ClientIdentity.resolve(deny, null, "192.0.2.1", tester).denied()).contains("required");
        assertThat(ClientIdentity.resolve(deny, "tester-key", "192.0.2.1", tester).analysis()).isTrue();
        assertThat(ClientIdentity.resolve(deny, "secret-a", "192.0.2.1", tester).analysis()).isFalse();
        // apiKeys, anonymous sourceAddress
        RuntimeConfig anon = parse("{\"detector\":{\"authentication\":{\"apiKeys\":true,\"anonymous\":\"sourceAddress\"}}}",
                clients("team-a", "secret-a"));
        assertThat(ClientIdentity.resolve(anon, "invented", "192.0.2.1", tester).name()).isEqualTo("addr:192.0.2.1");
        assertThat(ClientIdentity.resolve(anon, "invented", "192.0.2.1", tester).verified()).isFalse();
        assertThat(ClientIdentity.resolve(anon, "secret-a", "192.0.2.1", tester).name()).isEqualTo("team-a");
        // a blocked client name matches only a verified identity, a CIDR the source address
        RuntimeConfig blocked = parse("{\"detector\":{\"authentication\":{\"apiKeys\":true,\"anonymous\":\"sourceAddress\"},"
                + "\"blockedClients\":[{\"apiKey\":\"team-a\"}]}}", clients("team-a", "secret-a"));
        assertThat(blocked.blocked("team-a", "192.0.2.1")).isNotNull();
        assertThat(blocked.blocked(null, "192.0.2.1")).isNull();
    }
}
