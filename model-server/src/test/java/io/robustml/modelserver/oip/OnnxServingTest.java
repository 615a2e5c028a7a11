package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.modelserver.Fixtures;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The ONNX export of the standard model, served over HTTP by ONNX Runtime, answers as the training run recorded. */
@QuarkusTest
@TestProfile(OnnxServingTest.Onnx.class)
class OnnxServingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class Onnx implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.model.uri", "models/fashion-standard.onnx", "robustml.model.format", "onnx",
                    "robustml.model.sha256", "e6a6be03e1ce19d51bb551529d4a60584aa31d43cd5e5925c2d3eaf438ddf54f");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheOnnxModelWithTheRecordedLogits() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                send(HttpRequest.newBuilder(base.toURI().resolve("v2/health/ready"))).statusCode() == 200);
        JsonNode meta = JSON.readTree(send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion"))).body());
        assertThat(meta.get("platform").asText()).isEqualTo("onnxruntime_onnx");

        LabelledImages test = Fixtures.testSet(3);
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(3).add(1).add(28).add(28);
        ArrayNode data = input.putArray("data");
        for (int i = 0; i < 3; i++) {
            for (float v : test.images()[i]) {
                data.add(v);
            }
        }
        HttpResponse<String> reply = send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion/infer"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(req.toString())));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        JsonNode logits = JSON.readTree(reply.body()).at("/outputs/0/data");
        JsonNode recorded = Fixtures.metrics().at("/models/standard/first3_test_logits");
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 10; c++) {
                assertThat(logits.get(i * 10 + c).floatValue())
                        .isCloseTo(recorded.get(i).get(c).floatValue(), Offset.offset(1e-3f));
            }
        }
        assertThat(JSON.readTree(reply.body()).at("/outputs/1/data").toString()).isEqualTo("[9,2,1]");
    }
}
