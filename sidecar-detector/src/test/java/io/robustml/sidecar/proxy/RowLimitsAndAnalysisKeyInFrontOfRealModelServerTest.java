package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
 * Limits count rows, not requests; the analysis' own key is exempt from them and from the block action
 * (it must measure the model, and sees every verdict instead), and its flags are counted apart.
 */
@QuarkusTest
@TestProfile(RowLimitsAndAnalysisKeyInFrontOfRealModelServerTest.TenRowBurst.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class RowLimitsAndAnalysisKeyInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ANALYSIS_KEY = "analysis-key";

    public static class TenRowBurst implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config",
                    Path.of("src/test/resources/detector-similarity-block.json").toAbsolutePath().toString(),
                    "robustml.rate-limit.requests-per-minute", "60", "robustml.rate-limit.burst", "10",
                    "robustml.verdict-api-keys", ANALYSIS_KEY);
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    private static LabelledImages test;

    @org.junit.jupiter.api.BeforeAll
    static void dataset() throws Exception {
        test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 364);
    }

    private static String batch(int from, int rows) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(rows).add(1).add(28).add(28);
        ArrayNode data = input.putArray("data");
        for (int i = from; i < from + rows; i++) {
            for (float v : test.images()[i]) {
                data.add(v);
            }
        }
        return req.toString();
    }

    private HttpResponse<String> send(String body, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header(ClientIdentity.API_KEY_HEADER, apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBatchCostsItsRowsAndTheAnalysisKeyIsExemptButInspected() throws Exception {
        HttpResponse<String> big = send(batch(0, 64), null);
        assertThat(big.statusCode()).as("64 rows under a burst of 10: " + big.body()).isEqualTo(413);
        assertThat(JSON.readTree(big.body()).path("error").asText()).contains("64 rows").contains("10 rows");
        assertThat(send(batch(100, 8), null).statusCode()).isEqualTo(200);
        HttpResponse<String> over = send(batch(200, 8), null);
        assertThat(over.statusCode()).as("8 + 8 rows within the burst of 10").isEqualTo(429);
        assertThat(over.headers().firstValue("Retry-After")).isPresent();

        double clientFlags = Metrics.value(infer.toURI().resolve("/"), "robustml_sidecar_flags_total{detector=\"querySimilarity\"}");
        String analysisBatch = batch(300, 64);
        HttpResponse<String> first = send(analysisBatch, ANALYSIS_KEY);
        assertThat(first.statusCode()).as("the analysis is not rate-limited: " + first.body()).isEqualTo(200);
        HttpResponse<String> replay = send(analysisBatch, ANALYSIS_KEY);
        assertThat(replay.statusCode()).as("the analysis is answered, never blocked: " + replay.body()).isEqualTo(200);
        assertThat(replay.headers().firstValue(ProxyRoutes.FLAGGED_HEADER).orElseThrow())
                .as("every replayed row flagged, and the analysis sees it").isEqualTo(String.join(",", java.util.Collections.nCopies(64, "1")));
        assertThat(Metrics.value(infer.toURI().resolve("/"), "robustml_sidecar_analysis_flags_total{detector=\"querySimilarity\"}"))
                .isGreaterThanOrEqualTo(64);
        assertThat(Metrics.value(infer.toURI().resolve("/"), "robustml_sidecar_flags_total{detector=\"querySimilarity\"}"))
                .as("the clients' flag counter (what alerts watch) does not move").isEqualTo(clientFlags);
    }
}
