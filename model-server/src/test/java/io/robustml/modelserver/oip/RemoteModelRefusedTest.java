package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.Fixtures;
import io.robustml.fetch.TestModelStore;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * An https-style model (bearer token; plain http allowed for the test) whose bytes are not the ones
 * the spec names: the download is refused like a local mismatch (ModelIntegrityFailed, the same
 * message the termination message would carry), nothing stays in the cache, and the token is
 * nowhere in the server's answers or log.
 */
@QuarkusTest
@QuarkusTestResource(value = RemoteModelRefusedTest.TokenStore.class, restrictToAnnotatedClass = true)
class RemoteModelRefusedTest {
    static final String TOKEN = "bearer-token-that-must-never-show";
    static final String ROBUST_SHA = "763e847d786272ae0376ba535b2c9189825df844ec07d05d67a3718005370518";

    public static class TokenStore implements QuarkusTestResourceLifecycleManager {
        private TestModelStore store;

        @Override
        public Map<String, String> start() {
            try {
                store = new TestModelStore().bearer(TOKEN)
                        .file("/m/model.pt", Files.readAllBytes(Fixtures.MODELS.resolve("fashion-standard.pt")));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            String run = UUID.randomUUID().toString();
            return Map.of("robustml.model.uri", store.base() + "/m/model.pt",
                    "robustml.model.allow-http", "true",
                    "robustml.model.token", TOKEN,
                    // The store serves the standard model; the spec names the robust one: a swapped file.
                    "robustml.model.sha256", ROBUST_SHA,
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

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDownloadThatDoesNotMatchIsNeverServedAndNotKept() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get("v2/health/ready").body()).contains("ModelIntegrityFailed"));
        HttpResponse<String> ready = get("v2/health/ready");
        assertThat(ready.statusCode()).isEqualTo(400);
        assertThat(ready.body()).contains("ModelIntegrityFailed: model " + config("robustml.model.uri") + " has sha256 "
                + "1e8dfad8d18a81c432455bff6e1bc24149198764bdf625c19167a52126756234 but the spec requires " + ROBUST_SHA
                + "; refusing to use it");
        assertThat(get("v2/health/live").statusCode()).isEqualTo(200);
        try (Stream<Path> files = Files.list(Path.of(config("robustml.model.cache-dir")))) {
            assertThat(files).isEmpty();
        }
        assertThat(Files.readString(Path.of(config("quarkus.log.file.path")))).contains("ModelIntegrityFailed").doesNotContain(TOKEN);
    }
}
