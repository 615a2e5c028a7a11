package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sidecar whose detector.json is invalid from the start serves nothing uninspected: not ready until it is fixed. */
@QuarkusTest
@TestProfile(NotReadyWithoutValidConfigTest.Broken.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class NotReadyWithoutValidConfigTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ConfigFiles FILES = new ConfigFiles(Path.of("target/not-ready-test"));

    public static class Broken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ConfigFiles.clean(Path.of("target/not-ready-test"));
            FILES.write("{\"model\":\"fashion\",\"detector\":{\"action\":\"blokc\"}}", null);
            return Map.of("robustml.detector-config", FILES.detectorJson().toString(),
                    "robustml.api-keys-file", FILES.clientsJson().toString(), "robustml.detector-config.poll-ms", "200");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> infer() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion/infer"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Images.request(0))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void isNotReadyUntilAValidConfigArrives() throws Exception {
        HttpResponse<String> ready = get("v2/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("detector.action: 'blokc' is not one of [flag, block, fallback]");
        assertThat(get("v2/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = infer();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("not ready");
        assertThat(Metrics.value(base.toURI(), "robustml_sidecar_config_rejected_total")).isGreaterThanOrEqualTo(1);

        FILES.write("{\"model\":\"fashion\",\"detector\":{\"action\":\"block\",\"methods\":[\"querySimilarity\"]}}", null);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (get("v2/health/ready").statusCode() != 200) {
            assertThat(System.nanoTime()).as("ready after the fix").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(infer().statusCode()).isEqualTo(200);
        assertThat(infer().statusCode()).as("the config in force blocks the replay").isEqualTo(403);
    }
}
