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
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * action fallback with an abstention, output hardening (top 3, two decimals) and the forensic log, in
 * front of the real model server: a replayed image is flagged by query similarity (from another API
 * key), answered with an abstention, and logged with a hashed client and no API key.
 */
@QuarkusTest
@TestProfile(FallbackInFrontOfRealModelServerTest.Abstain.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class FallbackInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Path LOG_DIR = Path.of("target/forensic-fallback-test").toAbsolutePath();
    private static LabelledImages test;

    public static class Abstain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config",
                    Path.of("src/test/resources/detector-fallback-abstain.json").toAbsolutePath().toString(),
                    "robustml.forensic-log.dir", LOG_DIR.toString(), "robustml.model-revision", "rev-7",
                    "robustml.verdict-api-keys", "tester-key");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @ConfigProperty(name = "robustml.upstream")
    String upstream;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 100);
    }

    static String request(float[] image, String id) {
        ObjectNode req = JSON.createObjectNode();
        if (id != null) {
            req.put("id", id);
        }
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        input.set("data", TensorCodec.toJson(image));
        return req.toString();
    }

    static HttpResponse<String> post(URI uri, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header(ClientIdentity.API_KEY_HEADER, key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<String> logLines(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        return lines;
    }

    @Test
    void cleanQueriesGetHardenedScoresAndAFlaggedOneAnAbstentionThatIsLogged() throws Exception {
        int before = logLines(LOG_DIR).size();
        String clean = request(test.images()[3], "req-clean");
        HttpResponse<String> direct = post(URI.create(upstream + "/v2/models/fashion/infer"), clean, null);
        HttpResponse<String> hardened = post(infer.toURI(), clean, "first-secret-key");
        assertThat(hardened.statusCode()).as(hardened.body()).isEqualTo(200);
        JsonNode d = JSON.readTree(direct.body()).at("/outputs/0/data");
        JsonNode h = JSON.readTree(hardened.body());
        assertThat(h.at("/outputs/0/shape").toString()).isEqualTo("[1,3]");
        assertThat(h.at("/outputs/1/name").asText()).isEqualTo("output_classes".replace("output", h.at("/outputs/0/name").asText()));
        for (int j = 0; j < 3; j++) { // the model's own scores, best first, rounded to two decimals
            int c = h.at("/outputs/1/data/" + j).asInt();
            assertThat(h.at("/outputs/0/data/" + j).asDouble())
                    .isEqualTo(new java.math.BigDecimal(d.get(c).asText()).setScale(2, java.math.RoundingMode.HALF_UP).doubleValue());
        }
        assertThat(h.at("/outputs/1/data/0").asInt()).isEqualTo(JSON.readTree(direct.body()).at("/outputs/1/data/0").asInt());
        assertThat(logLines(LOG_DIR)).hasSize(before);

        HttpResponse<String> replay = post(infer.toURI(), request(test.images()[3], "req-replay"), "second-secret-key");
        assertThat(replay.statusCode()).isEqualTo(200);
        JsonNode r = JSON.readTree(replay.body());
        assertThat(r.path("outputs")).as("no prediction").isEmpty();
        assertThat(r.at("/parameters/abstained").asBoolean()).isTrue();
        assertThat(r.at("/parameters/robustml_flagged").isMissingNode()).as("verdicts only for the tester").isTrue();

        List<String> lines = logLines(LOG_DIR);
        assertThat(lines).hasSize(before + 1);
        String line = lines.get(lines.size() - 1);
        assertThat(line).doesNotContain("second-secret-key");
        JsonNode record = JSON.readTree(line);
        assertThat(record.path("requestId").asText()).isEqualTo("req-replay");
        // no detector.authentication: the key is no identity, the source address is
        assertThat(record.path("client").asText()).isEqualTo("addr:127.0.0.1");
        assertThat(record.path("modelRevision").asText()).isEqualTo("rev-7");
        assertThat(record.path("detectors").toString()).isEqualTo("[\"querySimilarity\"]");
        assertThat(record.at("/scores/querySimilarityMatches").asInt()).isEqualTo(50);
        assertThat(record.at("/input/data")).hasSize(784);
        assertThat(record.at("/input/data/200").floatValue()).isEqualTo(test.images()[3][200]);
        assertThat(java.time.Instant.parse(record.path("time").asText())).isNotNull();

        String metrics = HTTP.send(HttpRequest.newBuilder(infer.toURI().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("robustml_sidecar_requests_total{outcome=\"fallback\"}")
                .contains("robustml_sidecar_forensic_records_total{result=\"written\"}");
    }
}
