package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.Fixtures;
import io.robustml.fetch.TestModelStore;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.data.Offset;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The whole path a pod takes for an s3:// model: the server fetches the real standard model from the
 * signature-checking test store (not S3: {@link TestModelStore} recomputes the SigV4 signature of every
 * request), stays unready but live during the download, verifies the digest, loads the file with DJL
 * and answers an inference over the Open Inference Protocol as the training run recorded.
 */
@QuarkusTest
@QuarkusTestResource(value = RemoteModelServingTest.SignedStore.class, restrictToAnnotatedClass = true)
class RemoteModelServingTest {
    static final String SECRET = "remote-serving-secret-key/never+logged";
    static final String SESSION = "remote-serving-session-token-never-logged";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Starts the store in the test JVM and points the server's environment at it. */
    public static class SignedStore implements QuarkusTestResourceLifecycleManager {
        private TestModelStore store;

        @Override
        public Map<String, String> start() {
            try {
                store = new TestModelStore()
                        .s3(Map.of("AKIAREMOTESERVING001", SECRET), SESSION, "eu-central-1")
                        .file("/models/fashion/v1/model.pt", Files.readAllBytes(Fixtures.MODELS.resolve("fashion-standard.pt")))
                        .holdUntilReleased();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            String run = UUID.randomUUID().toString();
            return Map.of("robustml.model.uri", "s3://models/fashion/v1/model.pt",
                    "robustml.s3.endpoint", store.base(),
                    "aws.access-key-id", "AKIAREMOTESERVING001",
                    "aws.secret-access-key", SECRET,
                    "aws.session-token", SESSION,
                    "aws.region", "eu-central-1",
                    "robustml.model.cache-dir", "target/fetch-cache/" + run,
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", "target/fetch-logs/" + run + ".log");
        }

        @Override
        public void stop() {
            store.close();
        }
    }

    @TestHTTPResource("/")
    URL base;

    /** Read when the test runs: an injected property would have to exist for every @QuarkusTest in the module. */
    private static String config(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(base.toURI().resolve(path)));
    }

    @Test
    void fetchesVerifiesAndServesTheS3Model() throws Exception {
        // The store holds the body: the server is fetching, live, and not ready.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("v2/health/ready").body()).contains("fetching s3://models/fashion/v1/model.pt"));
        assertThat(get("v2/health/ready").statusCode()).isEqualTo(400);
        assertThat(get("v2/health/live").statusCode()).isEqualTo(200);
        assertThat(send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion/infer"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode()).isEqualTo(503);

        assertThat(send(HttpRequest.newBuilder(URI.create(config("robustml.s3.endpoint") + "/_release"))).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(60)).until(() -> get("v2/health/ready").statusCode() == 200);

        LabelledImages test = Fixtures.testSet(1);
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1).add(1).add(28).add(28);
        for (float v : test.images()[0]) {
            input.withArray("data").add(v);
        }
        HttpResponse<String> reply = send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion/infer"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(req.toString())));
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        JsonNode logits = JSON.readTree(reply.body()).at("/outputs/0/data");
        JsonNode recorded = Fixtures.metrics().at("/models/standard/first3_test_logits/0");
        for (int c = 0; c < 10; c++) {
            assertThat(logits.get(c).floatValue()).isCloseTo(recorded.get(c).floatValue(), Offset.offset(1e-3f));
        }

        // One request, whose signature the store recomputed and accepted.
        assertThat(send(HttpRequest.newBuilder(URI.create(config("robustml.s3.endpoint") + "/_stats"))).body()).isEqualTo("requests=1 verified=1");
        String sha = "1e8dfad8d18a81c432455bff6e1bc24149198764bdf625c19167a52126756234";
        assertThat(Path.of(config("robustml.model.cache-dir")).resolve(sha)).hasSameBinaryContentAs(Fixtures.MODELS.resolve("fashion-standard.pt"));
        String log = Files.readString(Path.of(config("quarkus.log.file.path")));
        assertThat(log).contains("fetched s3://models/fashion/v1/model.pt: 0.6 MiB of 0.6 MiB (100 %) at ")
                .contains("sha256 verified").contains("loaded on");
        assertThat(log).doesNotContain(SECRET).doesNotContain(SESSION);
    }
}
