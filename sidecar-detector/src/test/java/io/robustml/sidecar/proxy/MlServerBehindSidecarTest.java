package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.oip.BinaryTensors;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The sidecar in front of MLServer (serving.runtime: custom), a server without the binary tensor
 * extension: the sidecar learns that from its GET /v2, sends its own requests (the squeezed copies, alone
 * under flag or with the rows under block) as JSON, and refuses a client's binary request with a 400
 * instead of passing on what the server cannot read. Every answer is MLServer's own.
 */
@QuarkusTest
@TestProfile(MlServerBehindSidecarTest.Squeezing.class)
@QuarkusTestResource(value = MlServer.class, restrictToAnnotatedClass = true)
class MlServerBehindSidecarTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ConfigFiles FILES = new ConfigFiles(Path.of("target/mlserver-test"));
    private static final String FLAG = "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"featureSqueezing\",\"querySimilarity\"],"
            + "\"action\":\"flag\",\"featureSqueezing\":{\"threshold\":\"0.6516\"}}}";

    public static class Squeezing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ConfigFiles.clean(Path.of("target/mlserver-test"));
            FILES.write(FLAG, null);
            return Map.of("robustml.detector-config", FILES.detectorJson().toString(),
                    "robustml.detector-config.poll-ms", "200",
                    "robustml.rate-limit.requests-per-minute", "6000", "robustml.rate-limit.burst", "1000");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "robustml.upstream")
    String upstream;

    @Inject
    InspectionFlow flow;

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode logits(String answer) throws Exception {
        return JSON.readTree(answer).at("/outputs/0/data");
    }

    @Test
    void theSqueezedCopiesGoAsJsonAndBinaryRequestsAreRefused() throws Exception {
        URI base = infer.toURI().resolve("/");
        JsonNode metadata = JSON.readTree(HTTP.send(HttpRequest.newBuilder(base.resolve("/v2")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(metadata.path("name").asText()).as("GET /v2 is MLServer's own").isEqualTo("mlserver");
        assertThat(BinaryTensors.listedIn(metadata)).isFalse();

        // A binary request: refused by the sidecar once it has read the server's GET /v2, never passed on.
        byte[] header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"parameters\":{\"binary_data_size\":3136}}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(header, header.length + 3136);
        HttpResponse<String>[] binary = new HttpResponse[1];
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            binary[0] = HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/octet-stream")
                    .header(BinaryTensors.HEADER, Integer.toString(header.length)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return binary[0].statusCode() == 400;
        });
        assertThat(binary[0].headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        assertThat(JSON.readTree(binary[0].body()).path("error").asText()).contains("does not take binary tensors", "send the request as JSON");

        // flag: the client gets MLServer's answer; the copies follow as JSON and are scored.
        double scored = Metrics.value(base, "robustml_sidecar_squeezing_score_count");
        double skipped = Metrics.value(base, "robustml_sidecar_squeezing_skipped_total");
        String image = Images.request(11);
        HttpResponse<String> flagged = post(infer.toURI(), image);
        assertThat(flagged.statusCode()).isEqualTo(200);
        JsonNode direct = logits(post(URI.create(upstream + "/v2/models/fashion/infer"), image).body());
        assertThat(logits(flagged.body())).isEqualTo(direct);
        Inspections.awaitIdle(flow);
        assertThat(Metrics.value(base, "robustml_sidecar_squeezing_score_count")).as("scored from MLServer's JSON answer")
                .isEqualTo(scored + 1);
        assertThat(Metrics.value(base, "robustml_sidecar_squeezing_skipped_total")).isEqualTo(skipped);

        // block: the rows and their copies in one JSON request; the client gets its own row back.
        double reloads = Metrics.value(base, "robustml_sidecar_config_reloads_total");
        FILES.write(FLAG.replace("\"flag\"", "\"block\""), null);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> Metrics.value(base, "robustml_sidecar_config_reloads_total") == reloads + 1);
        double before = Metrics.value(base, "robustml_sidecar_squeezing_score_count");
        HttpResponse<String> blocked = post(infer.toURI(), Images.request(13));
        assertThat(blocked.statusCode()).isEqualTo(200);
        assertThat(logits(blocked.body())).isEqualTo(logits(post(URI.create(upstream + "/v2/models/fashion/infer"), Images.request(13)).body()));
        assertThat(Metrics.value(base, "robustml_sidecar_squeezing_score_count")).isEqualTo(before + 1);
        assertThat(Metrics.value(base, "robustml_sidecar_squeezing_skipped_total")).isEqualTo(skipped);
    }
}
