package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Feature squeezing in front of the real model server: the client's answer is exactly the model's
 * answer for its own rows, verdicts are shown only to the allowed key, and the metrics count.
 */
@QuarkusTest
@TestProfile(FeatureSqueezingInFrontOfRealModelServerTest.Squeezing.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class FeatureSqueezingInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Detector config as the operator renders it, and the tester's key. */
    public static class Squeezing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config", Path.of("src/test/resources/detector-squeezing.json").toAbsolutePath().toString(),
                    "robustml.verdict-api-keys", "tester-key", "robustml.max-upstream-rows", "30");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "robustml.upstream")
    String upstream;

    private static String request(int from, int count) throws Exception {
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), from + count);
        float[] flat = new float[count * 784];
        for (int i = 0; i < count; i++) {
            System.arraycopy(test.images()[from + i], 0, flat, i * 784, 784);
        }
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(count).add(1).add(28).add(28);
        input.set("data", TensorCodec.toJson(flat));
        return req.toString();
    }

    private static HttpResponse<String> post(URI uri, String body, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header(ClientIdentity.API_KEY_HEADER, apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theClientGetsTheModelsAnswerForItsOwnRowsAndOnlyTheTesterSeesVerdicts() throws Exception {
        String body = request(0, 8);
        HttpResponse<String> direct = post(URI.create(upstream + "/v2/models/fashion/infer"), body, null);
        HttpResponse<String> tester = post(base.toURI().resolve("v2/models/fashion/infer"), body, "tester-key");
        HttpResponse<String> client = post(base.toURI().resolve("v2/models/fashion/infer"), body, "someone");
        assertThat(tester.statusCode()).isEqualTo(200);
        JsonNode d = JSON.readTree(direct.body()).path("outputs").get(0);
        JsonNode t = JSON.readTree(tester.body()).path("outputs").get(0);
        assertThat(t.path("shape").toString()).isEqualTo("[8,10]");
        // The tester's rows went upstream inside the augmented batch (originals and squeezed copies): libtorch may
        // pick another kernel for 24 rows than for 8, so the last bits may differ; the rows and classes may not.
        for (int i = 0; i < d.path("data").size(); i++) {
            assertThat(t.path("data").get(i).floatValue()).isCloseTo(d.path("data").get(i).floatValue(),
                    org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(d.path("data").get(i).floatValue()))));
        }
        assertThat(tester.headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).get().asString().matches("[01](,[01]){7}");
        assertThat(JSON.readTree(tester.body()).path("parameters").path("robustml_flagged")).hasSize(8);
        assertThat(client.headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).as("verdicts are not for every caller").isEmpty();
        assertThat(JSON.readTree(client.body()).path("parameters").has("robustml_flagged")).isFalse();

        String metrics = HTTP.send(HttpRequest.newBuilder(base.toURI().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("robustml_sidecar_squeezing_score_count");
    }

    @Test
    void theAnalysisJudgesItsOwnRequestsAtTheThresholdItCalibratedAndNobodyElseCan() throws Exception {
        URI infer = base.toURI().resolve("v2/models/fashion/infer");
        String body = request(20, 8);
        String header = io.robustml.oip.detector.AnalysisOverride.SQUEEZING_THRESHOLD_HEADER;
        java.util.function.BiFunction<String, String, HttpResponse<String>> send = (key, threshold) -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(infer).header("content-type", "application/json")
                        .header(ClientIdentity.API_KEY_HEADER, key).header(header, threshold)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(send.apply("tester-key", "0").headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).as("every score is above 0")
                .contains(String.join(",", java.util.Collections.nCopies(8, "1")));
        assertThat(send.apply("tester-key", "2").headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).as("no score is above 2")
                .contains(String.join(",", java.util.Collections.nCopies(8, "0")));
        HttpResponse<String> malformed = send.apply("tester-key", "lots");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("error").asText()).contains(header);

        // Anyone else's header changes nothing: the client flags counter moves as it does without it (a client's
        // rows under flag are answered first and inspected after: let each request's count land before reading).
        URI metrics = base.toURI().resolve("/");
        double before = Metrics.value(metrics, "robustml_sidecar_flags_total{detector=\"featureSqueezing\"}");
        assertThat(post(infer, body, "someone").statusCode()).isEqualTo(200);
        Thread.sleep(1000);
        double plain = Metrics.value(metrics, "robustml_sidecar_flags_total{detector=\"featureSqueezing\"}") - before;
        assertThat(send.apply("someone", "0").statusCode()).isEqualTo(200);
        Thread.sleep(1000);
        double withHeader = Metrics.value(metrics, "robustml_sidecar_flags_total{detector=\"featureSqueezing\"}") - before - plain;
        assertThat(withHeader).as("flags without the header %s, with it %s", plain, withHeader).isEqualTo(plain).isLessThan(8);
    }

    @Test
    void malformedOrOversizedRequestsGetAClearClientError() throws Exception {
        URI infer = base.toURI().resolve("v2/models/fashion/infer");
        HttpResponse<String> wrongCount = post(infer,
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"data\":[0.5]}]}", null);
        assertThat(wrongCount.statusCode()).isEqualTo(400);
        assertThat(wrongCount.body()).contains("needs 784 values");
        HttpResponse<String> tooMany = post(infer, request(0, 11), null); // 33 rows upstream, at most 30 here
        assertThat(tooMany.statusCode()).isEqualTo(413);
        assertThat(tooMany.body()).contains("too large to inspect");
    }
}
