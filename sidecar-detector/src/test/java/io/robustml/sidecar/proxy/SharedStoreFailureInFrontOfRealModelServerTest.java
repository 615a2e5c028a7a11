package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.sidecar.detect.RedisServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The shared store (a real redis-server) paused with SIGSTOP, killed and restarted under traffic: with
 * {@code sharedStore.onFailure: open} every request is still answered (the replica's own limits, no
 * shared similarity), with {@code closed} a 503 with a JSON error until Redis answers again; nothing
 * else is ever a 5xx, and after a restart (scripts forgotten) the shared table works again.
 */
@QuarkusTest
@TestProfile(SharedStoreFailureInFrontOfRealModelServerTest.Failing.class)
@QuarkusTestResource(value = SharedStoreFailureInFrontOfRealModelServerTest.Services.class, restrictToAnnotatedClass = true)
class SharedStoreFailureInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ConfigFiles FILES = new ConfigFiles(Path.of("target/shared-store-failure"));
    private static final Path REDIS_LOG = Path.of("target/redis-failure-test.log");
    static volatile RedisServer redis;
    private static LabelledImages test;
    private static int next = 0;

    static String config(String onFailure) {
        return "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"querySimilarity\"],\"action\":\"block\","
                + "\"sharedStore\":{\"secretRef\":\"fashion-redis\",\"onFailure\":\"" + onFailure + "\"},"
                + "\"rateLimit\":{\"requestsPerMinute\":60000,\"burst\":10000}}}";
    }

    /** The model server and a redis-server this test may pause, kill and start again on the same port. */
    public static class Services implements QuarkusTestResourceLifecycleManager {
        private ModelServerProcess server;

        @Override
        public Map<String, String> start() {
            redis = RedisServer.start(REDIS_LOG);
            server = ModelServerProcess.start(Path.of(".."), "standard", "fashion", Path.of("target/model-server.log"));
            return Map.of("robustml.upstream", server.url(), "robustml.fingerprints.redis", "redis://" + redis.address());
        }

        @Override
        public void stop() {
            server.close();
            redis.close();
        }
    }

    public static class Failing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            FILES.write(config("open"), null);
            return Map.of("robustml.detector-config", FILES.detectorJson().toString(), "robustml.detector-config.poll-ms", "50");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    private HttpResponse<String> send(float[] image) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        input.set("data", TensorCodec.toJson(image));
        return HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Fresh images under traffic; the statuses they got, and the slowest answer in ms. */
    private Map<Integer, Integer> traffic(int requests, long[] slowestMs) throws Exception {
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = send(test.images()[next++]);
            slowestMs[0] = Math.max(slowestMs[0], (System.nanoTime() - t) / 1_000_000);
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() >= 400) {
                assertThat(JSON.readTree(r.body()).path("error").isTextual()).as(r.body()).isTrue();
            }
        }
        return statuses;
    }

    private void reloadTo(String onFailure) throws Exception {
        URI base = infer.toURI().resolve("/");
        String before = Metrics.configSha(base);
        FILES.write(config(onFailure), null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !Metrics.configSha(base).equals(before));
    }

    private static void signal(String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(redis.pid())).start().waitFor()).isZero();
    }

    @Test
    void pausedKilledAndRestartedRedisGivesTheConfiguredBehaviourAndNeverAnUnplannedFiveHundred() throws Exception {
        test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 400);
        long[] slowest = {0};
        assertThat(traffic(10, slowest)).containsOnlyKeys(200);
        URI base = infer.toURI().resolve("/");
        double errorsBefore = Metrics.value(base, "robustml_sidecar_fingerprint_store_errors_total");

        signal("STOP"); // paused: connections open, nothing answers
        try {
            slowest[0] = 0;
            assertThat(traffic(10, slowest)).as("open: served without the shared store").containsOnlyKeys(200);
            System.out.printf("[redis] paused, onFailure open: slowest answer %d ms%n", slowest[0]);
            assertThat(slowest[0]).as("each request waits at most the store's timeout, not for Redis").isLessThan(3_000);
            assertThat(Metrics.value(base, "robustml_sidecar_fingerprint_store_errors_total")).isGreaterThan(errorsBefore);

            reloadTo("closed");
            HttpResponse<String> refused = send(test.images()[next++]);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("shared detector store");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        } finally {
            signal("CONT");
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> send(test.images()[next++]).statusCode() == 200);
        assertThat(traffic(5, slowest)).as("closed, Redis answering again").containsOnlyKeys(200);

        int port = redis.port();
        redis.close(); // killed: connections refused
        assertThat(traffic(5, slowest)).as("closed, Redis gone").containsOnlyKeys(503);
        reloadTo("open");
        assertThat(traffic(5, slowest)).as("open, Redis gone").containsOnlyKeys(200);

        redis = RedisServer.start(REDIS_LOG, port); // a fresh Redis: empty table, scripts forgotten
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            float[] image = test.images()[next++];
            int first = send(image).statusCode();
            return first == 200 && send(image).statusCode() == 403; // recorded in Redis, then matched there
        });
        System.out.printf("[redis] after restart on port %d the shared table blocks a replay again%n", port);
    }
}
