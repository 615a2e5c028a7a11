package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

/** A model file whose digest does not match the configuration is never served. */
@QuarkusTest
@TestProfile(ModelIntegrityTest.WrongDigest.class)
class ModelIntegrityTest {
    public static class WrongDigest implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The robust model's digest, configured for the standard model's file: a swapped file.
            return Map.of("robustml.model.sha256", "0".repeat(63) + "1");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void staysLiveButNeverReadyAndSaysWhy() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("v2/health/ready").body()).contains("ModelIntegrityFailed"));
        HttpResponse<String> ready = get("v2/health/ready");
        assertThat(ready.statusCode()).isEqualTo(400);
        assertThat(ready.body()).contains("1e8dfad8d18a81c432455bff6e1bc24149198764bdf625c19167a52126756234")
                .contains("refusing to use it");
        assertThat(get("v2/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> infer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.toURI()
                .resolve("v2/models/fashion/infer")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(infer.statusCode()).isEqualTo(503);
        assertThat(infer.body()).contains("ModelIntegrityFailed");
    }
}
