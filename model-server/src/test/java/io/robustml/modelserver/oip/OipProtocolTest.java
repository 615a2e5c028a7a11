package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.Fixtures;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client written against the Open Inference Protocol, talking to the real server with the real model. */
@QuarkusTest
class OipProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL base;

    record Reply(int status, JsonNode body) {
    }

    private Reply get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private Reply post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.toURI().resolve(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode parsed;
        try {
            parsed = JSON.readTree(r.body());
        } catch (Exception e) {
            parsed = null;
        }
        return new Reply(r.statusCode(), parsed);
    }

    @BeforeEach
    void waitUntilReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("v2/health/ready").status() == 200);
    }

    private static ObjectNode request(LabelledImages images, int count, boolean nested) {
        ObjectNode req = JSON.createObjectNode().put("id", "req-1");
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(count).add(1).add(28).add(28);
        ArrayNode data = input.putArray("data");
        for (int i = 0; i < count; i++) {
            ArrayNode row = nested ? data.addArray() : data;
            for (float v : images.images()[i]) {
                row.add(v);
            }
        }
        return req;
    }

    @Test
    void answersHealthAndMetadataLikeKServe() throws Exception {
        assertThat(get("v2/health/live").status()).isEqualTo(200);
        Reply meta = get("v2/models/fashion");
        assertThat(meta.status()).isEqualTo(200);
        assertThat(meta.body().get("name").asText()).isEqualTo("fashion");
        assertThat(meta.body().at("/inputs/0/name").asText()).isEqualTo("input");
        assertThat(meta.body().at("/inputs/0/shape").toString()).isEqualTo("[-1,1,28,28]");
        assertThat(meta.body().at("/outputs/0/shape").toString()).isEqualTo("[-1,10]");
        assertThat(get("v2/models/fashion/ready").status()).isEqualTo(200);
        assertThat(get("v2/models/fashion/versions/1/ready").status()).isEqualTo(200);
    }

    @Test
    void predictsKnownTestImagesInOneBatchAsTrainingRecorded() throws Exception {
        LabelledImages test = Fixtures.testSet(3);
        JsonNode recorded = Fixtures.metrics().at("/models/standard/first3_test_logits");

        Reply reply = post("v2/models/fashion/infer", request(test, 3, false).toString());

        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(200);
        assertThat(reply.body().get("id").asText()).isEqualTo("req-1");
        assertThat(reply.body().get("model_name").asText()).isEqualTo("fashion");
        JsonNode logits = reply.body().at("/outputs/0");
        assertThat(logits.get("name").asText()).isEqualTo("logits");
        assertThat(logits.get("shape").toString()).isEqualTo("[3,10]");
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 10; c++) {
                assertThat(logits.get("data").get(i * 10 + c).floatValue())
                        .isCloseTo(recorded.get(i).get(c).floatValue(), org.assertj.core.data.Offset.offset(1e-3f));
            }
        }
        JsonNode labels = reply.body().at("/outputs/1");
        assertThat(labels.get("datatype").asText()).isEqualTo("INT64");
        assertThat(labels.get("data").toString()).isEqualTo("[" + test.labels()[0] + "," + test.labels()[1] + ","
                + test.labels()[2] + "]");
    }

    @Test
    void acceptsNestedDataAndReturnsOnlyTheRequestedOutput() throws Exception {
        ObjectNode req = request(Fixtures.testSet(2), 2, true);
        req.putArray("outputs").addObject().put("name", "label");
        Reply reply = post("v2/models/fashion/versions/1/infer", req.toString());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("outputs")).hasSize(1);
        assertThat(reply.body().at("/outputs/0/name").asText()).isEqualTo("label");
    }

    @Test
    void rejectsBadInputWithA4xxAndAJsonError() throws Exception {
        LabelledImages one = Fixtures.testSet(1);
        String good = request(one, 1, false).toString();
        assertError(post("v2/models/fashion/infer", good.replace("[1,1,28,28]", "[1,28,28]")), 400, "does not match [N, 1, 28, 28]");
        assertError(post("v2/models/fashion/infer", good.replace("[1,1,28,28]", "[2,1,28,28]")), 400, "needs 1568 values but data has 784");
        assertError(post("v2/models/fashion/infer", good.replace("\"FP32\"", "\"BYTES\"")), 400, "BYTES");
        assertError(post("v2/models/fashion/infer", good.replace("\"input\"", "\"pixels\"")), 400, "unknown input 'pixels'");
        assertError(post("v2/models/fashion/infer", good.replace("[1,1,28,28]", "[5000,1,28,28]")), 400, "batch size 5000");
        assertError(post("v2/models/fashion/infer", good.substring(0, good.length() / 2)), 400, "malformed JSON");
        assertError(post("v2/models/fashion/infer", "{\"inputs\": []}"), 400, "exactly one input");
        assertError(post("v2/models/fashion/infer", good.replace("\"id\":\"req-1\",", "\"outputs\":[{\"name\":\"probs\"}],")),
                400, "unknown output 'probs'");
        assertError(post("v2/models/shoes/infer", good), 404, "unknown model 'shoes'");
        assertError(post("v2/models/fashion/versions/7/infer", good), 404, "version '7'");
        assertThat(get("v2/models/shoes").status()).isEqualTo(404);
        // The server still answers after all of that.
        assertThat(post("v2/models/fashion/infer", good).status()).isEqualTo(200);
    }

    @Test
    void refusesAnOversizedBodyWith413() throws Exception {
        String huge = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[" + "0,".repeat(3_000_000) + "0]}]}";
        assertError(post("v2/models/fashion/infer", huge), 413, "larger than 4194304 bytes");
    }

    @Test
    void refusesNumbersNoFloatCanHoldAndShapesWhoseSizeOverflows() throws Exception {
        String good = request(Fixtures.testSet(1), 1, false).toString();
        assertError(post("v2/models/fashion/infer", good.replaceFirst("\"data\":\\[[^,]*,", "\"data\":[1e39,")), 400,
                "beyond the range of a 32-bit float");
        assertError(post("v2/models/fashion/infer", good.replaceFirst("\"data\":\\[[^,]*,", "\"data\":[-1e39,")), 400,
                "beyond the range");
        assertError(post("v2/models/fashion/infer", good.replace("[1,1,28,28]", "[2,9223372036854775807]")), 400, "shape");
        assertThat(post("v2/models/fashion/infer", good).status()).isEqualTo(200);
    }

    @Test
    void exportsRequestAndLatencyMetrics() throws Exception {
        post("v2/models/fashion/infer", request(Fixtures.testSet(1), 1, false).toString());
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(base.toURI().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("robustml_model_requests_total{model=\"fashion\",outcome=\"ok\"}")
                .contains("robustml_model_inference_seconds_bucket").contains("robustml_model_batch_size_count");
    }

    @Test
    void acceptsInt64InputsAsTheSameNumbers() throws Exception {
        // A binarised image (0/1 pixels) sent as INT64 must give exactly the FP32 answer for the same values.
        float[] pixels = Fixtures.testSet(1).images()[0];
        ObjectNode asFloat = JSON.createObjectNode();
        ObjectNode asLong = JSON.createObjectNode();
        for (ObjectNode req : new ObjectNode[] {asFloat, asLong}) {
            ObjectNode input = req.putArray("inputs").addObject().put("name", "input")
                    .put("datatype", req == asFloat ? "FP32" : "INT64");
            input.putArray("shape").add(1).add(1).add(28).add(28);
            ArrayNode data = input.putArray("data");
            for (float v : pixels) {
                if (req == asFloat) {
                    data.add(v > 0.5f ? 1.0f : 0.0f);
                } else {
                    data.add(v > 0.5f ? 1L : 0L);
                }
            }
        }
        Reply f = post("v2/models/fashion/infer", asFloat.toString());
        Reply l = post("v2/models/fashion/infer", asLong.toString());
        assertThat(l.status()).as(String.valueOf(l.body())).isEqualTo(200);
        assertThat(l.body().at("/outputs/0/data")).isEqualTo(f.body().at("/outputs/0/data"));
        assertError(post("v2/models/fashion/infer", asLong.toString().replaceFirst("\"data\":\\[\\d", "\"data\":[0.5")), 400, "not an integer");
    }

    @Test
    void runsABatchedRequestAsOneForwardPass() throws Exception {
        double[] before = batchSizeCountAndSum();
        Reply reply = post("v2/models/fashion/infer", request(Fixtures.testSet(5), 5, false).toString());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().at("/outputs/0/shape").toString()).isEqualTo("[5,10]");
        double[] after = batchSizeCountAndSum();
        assertThat(after[0] - before[0]).as("forward passes").isEqualTo(1.0);
        assertThat(after[1] - before[1]).as("images in them").isEqualTo(5.0);
    }

    /** {@code robustml_model_batch_size}'s count and sum: one observation per forward pass, of its batch size. */
    private double[] batchSizeCountAndSum() throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(base.toURI().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double[] v = new double[2];
        for (String line : body.lines().toList()) {
            if (line.startsWith("robustml_model_batch_size_count{") || line.startsWith("robustml_model_batch_size_count ")) {
                v[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("robustml_model_batch_size_sum{") || line.startsWith("robustml_model_batch_size_sum ")) {
                v[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return v;
    }

    private static void assertError(Reply reply, int status, String message) {
        assertThat(reply.status()).as(String.valueOf(reply.body())).isEqualTo(status);
        assertThat(reply.body().get("error").asText()).contains(message);
    }
}
