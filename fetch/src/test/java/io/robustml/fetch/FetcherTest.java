package io.robustml.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetching the real reference model over real HTTP from {@link TestModelStore}: https-style with a
 * bearer token (plain http behind the allow flag), S3 against the signature-checking test server,
 * and every failure path.
 */
class FetcherTest {
    private static final String TOKEN = "t0ken-that-must-never-show";
    private static final String ACCESS_KEY = "AKIATESTFETCH0000001";
    private static final String SECRET = "secret/that+must-never-show";
    private static final String SESSION = "session-token-that-must-never-show";
    private static final String KEY = "fashion/v1/standard model.pt";
    private static final FetchSettings.Caller CALLER = new FetchSettings.Caller("robustml-test",
            "ROBUSTML_MODEL_CACHE_DIR", "ROBUSTML_MODEL_MAX_BYTES", "ROBUSTML_MODEL_ALLOW_HTTP");

    private static byte[] model;
    private static String sha;

    @TempDir
    Path cache;

    private final List<TestModelStore> stores = new ArrayList<>();
    private final List<String> progress = new ArrayList<>();

    @TempDir
    static Path files;
    private static Path local;

    /** A model-sized file of fixed pseudo-random bytes (the content does not matter, its digest does). */
    @BeforeAll
    static void writeModel() throws IOException {
        model = new byte[600_000];
        new java.util.Random(42).nextBytes(model);
        local = Files.write(files.resolve("model.pt"), model);
        sha = Sha256.of(local);
    }

    @AfterEach
    void stopStores() {
        stores.forEach(TestModelStore::close);
    }

    private TestModelStore store() throws IOException {
        TestModelStore store = new TestModelStore();
        stores.add(store);
        return store;
    }

    private record Options(boolean allowHttp, Optional<String> token, Optional<SigV4.Credentials> aws,
            Optional<String> endpoint, int attempts, long maxBytes) {
        static Options http(String token) {
            return new Options(true, Optional.ofNullable(token), Optional.empty(), Optional.empty(), 5, 1L << 30);
        }

        static Options s3(String endpoint, SigV4.Credentials aws) {
            return new Options(false, Optional.empty(), Optional.ofNullable(aws), Optional.of(endpoint), 5, 1L << 30);
        }

        Options attempts(int n) {
            return new Options(allowHttp, token, aws, endpoint, n, maxBytes);
        }

        Options maxBytes(long n) {
            return new Options(allowHttp, token, aws, endpoint, attempts, n);
        }

        Options allowHttp(boolean allow) {
            return new Options(allow, token, aws, endpoint, attempts, maxBytes);
        }
    }

    private Fetcher fetcher(Options o) {
        FetchSettings settings = new FetchSettings(cache, o.maxBytes(), Duration.ofSeconds(5), Duration.ofSeconds(10),
                new RetryPolicy(o.attempts(), Duration.ofMillis(10), Duration.ofMillis(50)), o.allowHttp(), o.token(),
                o.aws(), "eu-west-1", o.endpoint(), CALLER);
        return new Fetcher(settings, progress::add, Clock.systemUTC());
    }

    private static SigV4.Credentials keys() {
        return new SigV4.Credentials(ACCESS_KEY, SECRET, Optional.of(SESSION));
    }

    private TestModelStore s3Store() throws IOException {
        return store().s3(Map.of(ACCESS_KEY, SECRET), SESSION, "eu-west-1").file("/models/" + KEY, model);
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.toList();
        }
    }

    private static void assertNoSecrets(Throwable e) {
        assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain(SECRET).doesNotContain(SESSION)
                .doesNotContain("secret-looking");
    }

    @Test
    void httpsWithABearerTokenStreamsTheVerifiedModelIntoTheCache() throws Exception {
        TestModelStore store = store().bearer(TOKEN).file("/m/fashion-standard.pt", model);
        Path file = fetcher(Options.http(TOKEN)).fetch("model", store.base() + "/m/fashion-standard.pt", sha);
        assertThat(file).isEqualTo(cache.resolve(sha));
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(cacheFiles()).containsExactly(cache.resolve(sha));
        assertThat(store.authorizations()).containsExactly("Bearer " + TOKEN);
        assertThat(progress).anyMatch(p -> p.startsWith("fetching http://127.0.0.1:"));
    }

    @Test
    void aWrongTokenIsAFinalErrorThatNamesTheUriButNotTheToken() throws Exception {
        TestModelStore store = store().bearer("the-right-one").file("/m/model.pt", model);
        String uri = store.base() + "/m/model.pt?sig=abc";
        assertThatThrownBy(() -> fetcher(Options.http(TOKEN)).fetch("model", uri, sha))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("GET " + store.base() + "/m/model.pt?… answered 401")
                .hasMessageContaining("token").hasMessageContaining("not retrying")
                .satisfies(FetcherTest::assertNoSecrets)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sig=abc"));
        assertThat(store.requests()).isEqualTo(1);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void plainHttpIsRefusedUnlessAllowed() throws Exception {
        TestModelStore store = store().file("/m/model.pt", model);
        assertThatThrownBy(() -> fetcher(Options.http(TOKEN).allowHttp(false)).fetch("model", store.base() + "/m/model.pt", sha))
                .isInstanceOf(FetchException.class).hasMessageContaining("ROBUSTML_MODEL_ALLOW_HTTP");
        assertThat(store.requests()).isZero();
    }

    @Test
    void credentialsInsideTheUriAreRefusedWithoutShowingThem() {
        assertThatThrownBy(() -> fetcher(Options.http(null)).fetch("model", "https://user:" + TOKEN + "@models.example/m.pt", sha))
                .isInstanceOf(FetchException.class).hasMessageContaining("https://models.example/m.pt")
                .hasMessageContaining("credentials Secret").satisfies(FetcherTest::assertNoSecrets);
    }

    @Test
    void s3WithSignatureV4FromTheSignatureCheckingServer() throws Exception {
        TestModelStore store = s3Store();
        Path file = fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(store.verifiedSignatures()).isEqualTo(1);
        assertThat(store.authorizations().get(0)).startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/")
                .contains("/eu-west-1/s3/aws4_request,").doesNotContain(SECRET);
    }

    @Test
    void aWrongSecretIsRefusedByTheServerAndNotRetried() throws Exception {
        TestModelStore store = s3Store();
        SigV4.Credentials wrong = new SigV4.Credentials(ACCESS_KEY, SECRET + "x", Optional.of(SESSION));
        assertThatThrownBy(() -> fetcher(Options.s3(store.base(), wrong)).fetch("model", "s3://models/" + KEY, sha))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("GET s3://models/" + KEY + " answered 403 (SignatureDoesNotMatch)")
                .hasMessageContaining("AWS keys").satisfies(FetcherTest::assertNoSecrets);
        assertThat(store.requests()).isEqualTo(1);
        assertThat(store.verifiedSignatures()).isZero();
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void withoutKeysTheGetIsUnsignedWhichOnlyAPublicBucketAnswers() throws Exception {
        TestModelStore store = s3Store().file("/public/" + KEY, model).publicBuckets("public");
        Path file = fetcher(Options.s3(store.base(), null)).fetch("model", "s3://public/" + KEY, sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(store.authorizations()).containsExactly("");
        assertThatThrownBy(() -> fetcher(Options.s3(store.base(), null)).fetch("model", "s3://models/" + KEY,
                "0".repeat(64))).hasMessageContaining("answered 403 (AccessDenied)");
    }

    @Test
    void aWrongDigestIsAnIntegrityFailureAndLeavesNothingInTheCache() throws Exception {
        TestModelStore store = s3Store();
        String robust = "0".repeat(63) + "1";
        assertThatThrownBy(() -> fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, robust))
                .isInstanceOf(IntegrityException.class)
                .hasMessage("model s3://models/" + KEY + " has sha256 " + sha + " but the spec requires " + robust
                        + "; refusing to use it");
        assertThat(cacheFiles()).isEmpty();
        assertThat(store.requests()).isEqualTo(1);
    }

    @Test
    void aMissingObjectIsAClearFinalError() throws Exception {
        TestModelStore store = s3Store();
        assertThatThrownBy(() -> fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/fashion/v9/none.pt", sha))
                .isInstanceOf(FetchException.class)
                .hasMessage("GET s3://models/fashion/v9/none.pt answered 404 (NoSuchKey): no such model file; "
                        + "not retrying");
        assertThat(store.requests()).isEqualTo(1);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void unavailableTwiceThenServed() throws Exception {
        TestModelStore store = s3Store().script(503, 503);
        Path file = fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(store.requests()).isEqualTo(3);
        assertThat(progress).anyMatch(p -> p.contains("attempt 2 failed (GET s3://models/" + KEY + " answered 503"));
    }

    @Test
    void aBodyCutShortIsFetchedAgain() throws Exception {
        TestModelStore store = store().bearer(TOKEN).file("/m/model.pt", model).script(TestModelStore.TRUNCATE);
        Path file = fetcher(Options.http(TOKEN)).fetch("model", store.base() + "/m/model.pt", sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(store.requests()).isEqualTo(2);
        assertThat(cacheFiles()).containsExactly(cache.resolve(sha));
    }

    @Test
    void givesUpAfterTheConfiguredAttempts() throws Exception {
        TestModelStore store = s3Store().script(503, 503, 503, 503, 503, 503);
        assertThatThrownBy(() -> fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha))
                .isInstanceOf(FetchException.class)
                .hasMessage("could not fetch s3://models/" + KEY + " in 5 attempts: GET s3://models/" + KEY
                        + " answered 503 (Scripted503)");
        assertThat(store.requests()).isEqualTo(5);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void connectionErrorsAreRetried() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThatThrownBy(() -> fetcher(Options.http(TOKEN).attempts(3))
                .fetch("model", "http://127.0.0.1:" + closedPort + "/m/model.pt", sha))
                .isInstanceOf(FetchException.class)
                .hasMessageStartingWith("could not fetch http://127.0.0.1:" + closedPort + "/m/model.pt in 3 attempts")
                .hasMessageContaining("ConnectException");
        assertThat(progress).filteredOn(p -> p.contains("failed")).hasSize(2);
    }

    @Test
    void aRestartReusesTheVerifiedCopyAndRefetchesADamagedOne() throws Exception {
        TestModelStore store = s3Store();
        Path first = fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha);
        assertThat(store.requests()).isEqualTo(1);

        // A new fetcher, as after a container restart with the same emptyDir: no request.
        Path again = fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha);
        assertThat(again).isEqualTo(first);
        assertThat(store.requests()).isEqualTo(1);

        Files.delete(first);
        Files.write(first, "not the model".getBytes());
        Path repaired = fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha);
        assertThat(Files.readAllBytes(repaired)).isEqualTo(model);
        assertThat(store.requests()).isEqualTo(2);
    }

    @Test
    void aPartialFileLeftByAKilledContainerIsRemoved() throws Exception {
        TestModelStore store = s3Store();
        Path partial = Files.writeString(cache.resolve("." + sha + ".123.part"), "half");
        fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha);
        assertThat(cacheFiles()).containsExactly(cache.resolve(sha));
        assertThat(partial).doesNotExist();
    }

    @Test
    void aModelAboveTheSizeLimitIsRefusedBeforeOrWhileReading() throws Exception {
        TestModelStore declared = s3Store();
        assertThatThrownBy(() -> fetcher(Options.s3(declared.base(), keys()).maxBytes(model.length - 1))
                .fetch("model", "s3://models/" + KEY, sha))
                .hasMessage("s3://models/" + KEY + " is " + model.length + " bytes, above the limit of "
                        + (model.length - 1) + " (ROBUSTML_MODEL_MAX_BYTES)");
        TestModelStore chunked = s3Store().chunked();
        assertThatThrownBy(() -> fetcher(Options.s3(chunked.base(), keys()).maxBytes(model.length - 1))
                .fetch("model", "s3://models/" + KEY, sha))
                .hasMessage("s3://models/" + KEY + " is larger than the limit of " + (model.length - 1)
                        + " bytes (ROBUSTML_MODEL_MAX_BYTES)");
        assertThat(declared.requests() + chunked.requests()).isEqualTo(2);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void aChunkedBodyWithinTheLimitIsServed() throws Exception {
        TestModelStore store = s3Store().chunked();
        Path file = fetcher(Options.s3(store.base(), keys()).maxBytes(model.length)).fetch("model", "s3://models/" + KEY, sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
    }

    @Test
    void theTokenFollowsRedirectsOnlyWithinItsOrigin() throws Exception {
        TestModelStore blobs = store().file("/blob/model.pt", model);
        TestModelStore origin = store().bearer(TOKEN)
                .redirect("/m/model.pt", "/m/moved.pt")
                .redirect("/m/moved.pt", "http://localhost:" + blobs.port() + "/blob/model.pt");
        Path file = fetcher(Options.http(TOKEN)).fetch("model", origin.base() + "/m/model.pt", sha);
        assertThat(Files.readAllBytes(file)).isEqualTo(model);
        assertThat(origin.authorizations()).containsExactly("Bearer " + TOKEN, "Bearer " + TOKEN);
        assertThat(blobs.authorizations()).containsExactly("");
    }

    @Test
    void anUnusableCacheDirectoryIsAClearError() throws Exception {
        TestModelStore store = s3Store();
        Files.delete(cache);
        Files.writeString(cache, "a file where the directory should be");
        assertThatThrownBy(() -> fetcher(Options.s3(store.base(), keys())).fetch("model", "s3://models/" + KEY, sha))
                .isInstanceOf(FetchException.class)
                .hasMessageStartingWith("cannot use the cache directory " + cache + " (ROBUSTML_MODEL_CACHE_DIR");
        assertThat(store.requests()).isZero();
        Files.delete(cache);
        Files.createDirectory(cache);
    }

    @Test
    void aLocalFileIsVerifiedInPlace() throws Exception {
        assertThat(fetcher(Options.http(null)).fetch("model", local.toString(), sha)).isEqualTo(local);
        assertThatThrownBy(() -> fetcher(Options.http(null)).fetch("model", local.toUri().toString(), "0".repeat(64)))
                .isInstanceOf(IntegrityException.class);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void progressLinesSayBytesAndSpeed() {
        long mib = 1 << 20;
        assertThat(Fetcher.progressLine("s3://b/k", 12 * mib, 48 * mib, 2_000_000_000L))
                .isEqualTo("fetching s3://b/k: 12.0 MiB of 48.0 MiB (25 %) at 6.0 MiB/s");
        assertThat(Fetcher.progressLine("s3://b/k", 3 * mib, -1, 1_000_000_000L))
                .isEqualTo("fetching s3://b/k: 3.0 MiB at 3.0 MiB/s");
    }
}
