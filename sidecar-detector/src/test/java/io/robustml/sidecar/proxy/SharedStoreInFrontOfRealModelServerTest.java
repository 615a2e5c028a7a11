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
import io.robustml.sidecar.detect.DetectorSettings;
import io.robustml.oip.similarity.Fingerprints;
import io.robustml.sidecar.detect.RedisFingerprintStore;
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
 * The sidecar with its fingerprint table in a real redis-server, in front of the real model server.
 * The test plays a second replica of the same model through the same table: a Square Attack that sends
 * its odd queries to the other replica and its even ones to this sidecar is blocked here at its second
 * query, and what this sidecar records is seen by the other replica.
 */
@QuarkusTest
@TestProfile(SharedStoreInFrontOfRealModelServerTest.SharedBlock.class)
@QuarkusTestResource(value = RedisAndModelServer.class, restrictToAnnotatedClass = true)
class SharedStoreInFrontOfRealModelServerTest {
    private static final io.vertx.core.Vertx VERTX = io.vertx.core.Vertx.vertx();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static class SharedBlock implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config",
                    Path.of("src/test/resources/detector-similarity-block.json").toAbsolutePath().toString(),
                    "robustml.rate-limit.requests-per-minute", "6000", "robustml.rate-limit.burst", "1000");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @ConfigProperty(name = "robustml.fingerprints.redis")
    String redis;

    private int send(float[] image, String apiKey) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        input.set("data", TensorCodec.toJson(image));
        return HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .header(ClientIdentity.API_KEY_HEADER, apiKey).POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static long[] fp(float[] x) {
        return Fingerprints.of(x, io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_QUANTIZATION, io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_WINDOW_SIZE,
                DetectorSettings.TOP_HASHES);
    }

    private static float[] stripes(float[] x) {
        float[] start = x.clone();
        for (int w = 0; w < 28; w++) { // Square Attack's first query: vertical stripes at ±0.1
            float d = w % 3 == 0 ? 0.1f : -0.1f;
            for (int h = 0; h < 28; h++) {
                start[h * 28 + w] = Math.min(1f, Math.max(0f, start[h * 28 + w] + d));
            }
        }
        return start;
    }

    private static float[] window(float[] current, float[] original, int at) {
        float[] next = current.clone();
        for (int h = at; h < at + 6; h++) { // one 6x6 window redrawn
            for (int w = at; w < at + 6; w++) {
                next[h * 28 + w] = Math.min(1f, original[h * 28 + w] + 0.1f);
            }
        }
        return next;
    }

    @Test
    void anAttackSpreadOverTwoReplicasIsCaughtThroughTheSharedTable() throws Exception {
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 200);
        URI r = URI.create(redis);
        try (RedisFingerprintStore otherReplica = new RedisFingerprintStore(VERTX, r.getHost() + ":" + r.getPort(), 1000, "fashion",
                100_000, 86_400_000L, 200, 2)) {
            for (int i = 100; i < 150; i++) { // clean traffic through this sidecar passes
                assertThat(send(test.images()[i], "client-" + i)).as("clean image %d", i).isEqualTo(200);
            }
            assertThat(otherReplica.size()).isZero(); // (its own adds only; the table itself holds the 50 above)

            // Query 1 goes to the other replica, which records it in the shared table.
            float[] first = stripes(test.images()[0]);
            assertThat(otherReplica.match(fp(first), 0)).isLessThan(io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_MATCH_THRESHOLD);
            otherReplica.add(fp(first), 0);
            // Query 2 comes here, under another API key: the shared table knows query 1.
            assertThat(send(window(first, test.images()[0], 10), "attacker-key-2")).isEqualTo(403);

            // And the other way round: a query this sidecar answered is known to the other replica.
            float[] image = test.images()[160];
            assertThat(send(image, "someone")).isEqualTo(200);
            // The sidecar adds to Redis off the event loop, after answering: give the add a moment.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (otherReplica.match(fp(window(image, image, 4)), 0) < io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_MATCH_THRESHOLD
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(otherReplica.match(fp(window(image, image, 4)), 0)).isGreaterThanOrEqualTo(
                    io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_MATCH_THRESHOLD);
        }
    }
}
