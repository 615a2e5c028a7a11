package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With no model server behind it the sidecar stays live, is not ready, and answers 503 at once. */
@QuarkusTest
@TestProfile(UpstreamDownTest.NoUpstream.class)
class UpstreamDownTest {
    public static class NoUpstream implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.upstream", "http://127.0.0.1:1"); // nothing listens on port 1
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void answers503WithAJsonErrorNeverAHang() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThat(http.send(HttpRequest.newBuilder(base.toURI().resolve("v2/health/live")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(base.toURI().resolve("v2/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        HttpResponse<String> infer = http.send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion/infer"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(infer.statusCode()).as(infer.body()).isEqualTo(503);
        assertThat(infer.body()).contains("model server not reachable");
    }
}
