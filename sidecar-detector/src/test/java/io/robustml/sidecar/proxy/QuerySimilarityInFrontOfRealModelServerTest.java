package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The account-agnostic query-similarity detector with action block, in front of the real model
 * server: an attacker who sends every query under a new API key is stopped at its second query.
 */
@QuarkusTest
@TestProfile(QuerySimilarityInFrontOfRealModelServerTest.SimilarityBlock.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class QuerySimilarityInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static class SimilarityBlock implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config",
                    Path.of("src/test/resources/detector-similarity-block.json").toAbsolutePath().toString(),
                    "robustml.rate-limit.requests-per-minute", "6000", "robustml.rate-limit.burst", "1000");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    private int send(float[] image, String apiKey) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        input.set("data", TensorCodec.toJson(image));
        return HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .header(ClientIdentity.API_KEY_HEADER, apiKey).POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void distinctCleanImagesPassAndASquareStepFromAnyKeyIsBlocked() throws Exception {
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 200);
        for (int i = 100; i < 200; i++) {
            assertThat(send(test.images()[i], "client-" + i)).as("clean image %d", i).isEqualTo(200);
        }
        float[] start = test.images()[0].clone();
        for (int w = 0; w < 28; w++) { // Square Attack's first query: vertical stripes at ±0.1
            float d = w % 3 == 0 ? 0.1f : -0.1f;
            for (int h = 0; h < 28; h++) {
                start[h * 28 + w] = Math.min(1f, Math.max(0f, start[h * 28 + w] + d));
            }
        }
        assertThat(send(start, "attacker-key-1")).isEqualTo(200);
        float[] next = start.clone();
        for (int h = 10; h < 16; h++) { // its second: one 6x6 window redrawn
            for (int w = 10; w < 16; w++) {
                next[h * 28 + w] = Math.min(1f, test.images()[0][h * 28 + w] + 0.1f);
            }
        }
        assertThat(send(next, "attacker-key-2")).as("a fresh API key does not help").isEqualTo(403);
    }
}
