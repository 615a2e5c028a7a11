package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.sidecar.config.ConfigReloader;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Verified client identity in front of the real model server: invented API keys get nothing, a client's
 * quota holds, anonymous requests are limited per source address, and X-Forwarded-For counts only from a
 * trusted proxy. Requests come from distinct loopback addresses (127.0.0.x) to play distinct machines;
 * 127.0.0.1 is the trusted proxy.
 */
@QuarkusTest
@TestProfile(IdentityInFrontOfRealModelServerTest.ApiKeys.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityInFrontOfRealModelServerTest {
    static final ConfigFiles FILES = new ConfigFiles(Path.of("target/identity-test"));
    static final String CLIENTS = ConfigFiles.clients(Map.of("team-a", "key-team-a", "team-b", "key-team-b"),
            Map.of("team-a", "\"dailyQuota\":5", "team-b", "\"requestsPerMinute\":60000,\"burst\":10000"));

    static String config(String anonymous) {
        return "{\"model\":\"fashion\",\"detector\":{\"methods\":[],\"rateLimit\":{\"requestsPerMinute\":60,\"burst\":20},"
                + "\"blockedClients\":[{\"cidr\":\"203.0.113.0/24\",\"reason\":\"abuse\"}],"
                + "\"authentication\":{\"apiKeys\":true,\"anonymous\":\"" + anonymous + "\",\"trustedProxies\":[\"127.0.0.1/32\"]}}}";
    }

    public static class ApiKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ConfigFiles.clean(Path.of("target/identity-test"));
            FILES.write(config("deny"), CLIENTS);
            return Map.of("robustml.detector-config", FILES.detectorJson().toString(),
                    "robustml.api-keys-file", FILES.clientsJson().toString(), "robustml.detector-config.poll-ms", "200");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @Inject
    ConfigReloader configs;

    private RawHttp.Reply post(String from, Map<String, String> headers) throws Exception {
        return RawHttp.post(infer.toURI(), from, headers, Images.request(7));
    }

    @Test
    @Order(1)
    void refusesAThousandInventedKeys() throws Exception {
        for (int i = 0; i < 1000; i++) {
            RawHttp.Reply r = post("127.0.0.5", Map.of(ClientIdentity.API_KEY_HEADER, "invented-" + i + "-" + System.nanoTime()));
            assertThat(r.status()).as(r.body()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("ApiKey");
            assertThat(r.body()).contains("\"error\":\"unknown API key\"");
        }
        RawHttp.Reply none = post("127.0.0.5", Map.of());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body()).contains("API key is required");
        assertThat(Metrics.value(infer.toURI().resolve("/"), "robustml_sidecar_requests_total{outcome=\"unauthorized\"}"))
                .isGreaterThanOrEqualTo(1001);
        assertThat(Metrics.scrape(infer.toURI().resolve("/"))).doesNotContain("invented-");
        // metadata too, but never the probes
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        URI models = infer.toURI().resolve("/v2/models/fashion");
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(models).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(models).header(ClientIdentity.API_KEY_HEADER, "key-team-b").build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(infer.toURI().resolve("/v2/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void enforcesAValidKeysDailyQuota() throws Exception {
        for (int i = 0; i < 5; i++) {
            RawHttp.Reply r = post("127.0.0.6", Map.of(ClientIdentity.API_KEY_HEADER, "key-team-a"));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        RawHttp.Reply over = post("127.0.0.7", Map.of(ClientIdentity.API_KEY_HEADER, "key-team-a")); // another address: same client
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.body()).contains("daily quota of 5 rows exhausted");
        assertThat(Long.parseLong(over.header("Retry-After"))).isBetween(1L, 86_400L);
        assertThat(post("127.0.0.6", Map.of(ClientIdentity.API_KEY_HEADER, "key-team-b")).status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void believesForwardedForOnlyFromTheTrustedProxy() throws Exception {
        Map<String, String> spoofed = Map.of(ClientIdentity.API_KEY_HEADER, "key-team-b", ClientIdentity.FORWARDED_FOR_HEADER,
                "203.0.113.7");
        RawHttp.Reply untrusted = post("127.0.0.8", spoofed);
        assertThat(untrusted.status()).as("an untrusted peer's X-Forwarded-For is ignored: %s", untrusted.body()).isEqualTo(200);
        RawHttp.Reply viaProxy = post("127.0.0.1", spoofed);
        assertThat(viaProxy.status()).as("from the trusted proxy it names the blocked network").isEqualTo(403);
        assertThat(viaProxy.body()).contains("client blocked: abuse");
        // the proxy appends the real peer: entries a client wrote left of it are not believed
        RawHttp.Reply chained = post("127.0.0.1", Map.of(ClientIdentity.API_KEY_HEADER, "key-team-b",
                ClientIdentity.FORWARDED_FOR_HEADER, "203.0.113.7, 198.51.100.20"));
        assertThat(chained.status()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void countsInventedKeysAgainstOneSourceAddressWhenAnonymousIsAllowed() throws Exception {
        FILES.write(config("sourceAddress"), CLIENTS);
        configs.pollFiles();
        assertThat(configs.current().authentication().anonymous().name()).isEqualTo("SOURCE_ADDRESS");
        int ok = 0;
        int limited = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            RawHttp.Reply r = post("127.0.0.9", Map.of(ClientIdentity.API_KEY_HEADER, "invented-" + i));
            ok += r.status() == 200 ? 1 : 0;
            limited += r.status() == 429 ? 1 : 0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[identity] 1000 invented keys from one address: %d served, %d rate-limited in %.1f s%n", ok, limited,
                seconds);
        // burst 20, then one a second: every key drew from the same bucket
        assertThat(ok).isBetween(20, 20 + (int) Math.ceil(seconds) + 1);
        assertThat(ok + limited).isEqualTo(1000);
    }
}
