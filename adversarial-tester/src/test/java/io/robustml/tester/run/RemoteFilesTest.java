package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.fetch.IntegrityException;
import io.robustml.fetch.Sha256;
import io.robustml.fetch.TestModelStore;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.LocalTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose model, dataset and corpus live in an S3 store: the tester fetches them with the credentials in
 * its environment (signed with SigV4, which the test store checks by recomputing it), verifies each digest,
 * and measures exactly what it measures on the same files read locally.
 */
class RemoteFilesTest {
    private static final Path MODELS = Path.of("../model-server/models");
    private static final String KEY_ID = "AKIATESTTESTER000001";
    private static final String SECRET = "tester/secret+that-must-never-show";

    @TempDir
    Path cache;
    private TestModelStore store;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void startStore() throws Exception {
        store = new TestModelStore().s3(Map.of(KEY_ID, SECRET), null, "eu-west-1")
                .file("/models/tabular/robust.pt", Files.readAllBytes(MODELS.resolve("tabular-robust.pt")))
                .file("/data/tabular/breast-cancer.parquet", Files.readAllBytes(MODELS.resolve("breast-cancer.parquet")));
    }

    @AfterEach
    void stopStore() {
        store.close();
    }

    private Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_REGION", "eu-west-1",
                "ROBUSTML_S3_ENDPOINT", store.base(), "ROBUSTML_FETCH_CACHE_DIR", cache.toString());
    }

    private RemoteFiles files(Map<String, String> environment) {
        return new RemoteFiles(environment::get, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static Assignment assignment(String modelUri, String datasetUri, String checksums) throws Exception {
        StringBuilder features = new StringBuilder();
        for (var c : new com.fasterxml.jackson.databind.ObjectMapper().readTree(MODELS.resolve("tabular-metrics.json").toFile())
                .get("columns")) {
            features.append("      - {name: %s, min: \"%s\", max: \"%s\"}%n".formatted(c.get("name").asText(),
                    c.get("min").asText(), c.get("max").asText()));
        }
        String yaml = """
                apiVersion: robustml.io/v1
                kind: AdversarialTestRun
                metadata: {name: r}
                spec:
                  target: {model: m, revision: abc, endpoint: "http://x", modelUri: "%s", modelSha256: %s}
                  attacks:
                    - {type: fgsm, epsilon: "0.1"}
                  dataset: {uri: "%s", samples: 114, labelColumn: diagnosis%s}
                  labels: [malignant, benign]
                  input:
                    shape: [30]
                    features:
                %s""".formatted(modelUri, Sha256.of(MODELS.resolve("tabular-robust.pt")), datasetUri, checksums, features);
        return Assignment.of(Serialization.unmarshal(yaml, AdversarialTestRun.class).getSpec());
    }

    private static String pinned(String file) throws Exception {
        return ", checksums: [{file: " + file + ", sha256: " + Sha256.of(MODELS.resolve("breast-cancer.parquet")) + "}]";
    }

    private static EvaluationReport evaluate(Assignment a) throws Exception {
        long[] shape = {30};
        EvaluationData data = EvaluationData.load(a.datasetUri(), a.samples(), 0, a.datasetChecksums(), shape, a.columns());
        try (WhiteBoxModel model = WhiteBoxModel.load(ModelFile.resolve(a.modelUri(), a.modelSha256()))) {
            return new Evaluation(a, new Settings(100, 0, 0, 0.3f, null, 30), new LocalTarget(model, shape), model, shape, data,
                    (done, total, summary) -> { }).run();
        }
    }

    @Test
    void fetchesTheModelAndDatasetWithSignedRequestsAndMeasuresWhatTheLocalFilesMeasure() throws Exception {
        Assignment remote = assignment("s3://models/tabular/robust.pt", "s3://data/tabular/breast-cancer.parquet",
                pinned("breast-cancer.parquet"));
        Assignment local = files(environment()).localize(remote);

        Path model = Path.of(URI.create(local.modelUri()));
        Path dataset = Path.of(URI.create(local.datasetUri()));
        assertThat(model).startsWith(cache);
        assertThat(Files.mismatch(model, MODELS.resolve("tabular-robust.pt"))).isEqualTo(-1);
        assertThat(dataset.getFileName()).hasToString("breast-cancer.parquet");
        assertThat(Files.mismatch(dataset, MODELS.resolve("breast-cancer.parquet"))).isEqualTo(-1);
        assertThat(store.verifiedSignatures()).isEqualTo(2);

        Assignment onDisk = remote.withFiles(MODELS.resolve("tabular-robust.pt").toString(),
                MODELS.resolve("breast-cancer.parquet").toString(), null, null);
        EvaluationReport fetched = evaluate(local);
        EvaluationReport read = evaluate(onDisk);
        assertThat(fetched.cleanAccuracy()).isEqualTo(read.cleanAccuracy()).isGreaterThan(0.8);
        assertThat(fetched.attacks().get(0).adversarialSuccessRate()).isEqualTo(read.attacks().get(0).adversarialSuccessRate());

        // A second run in the same pod reuses the verified copies.
        int requests = store.requests();
        assertThat(files(environment()).localize(remote).datasetUri()).isEqualTo(local.datasetUri());
        assertThat(store.requests()).isEqualTo(requests);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("fetching s3://data/tabular/breast-cancer.parquet")
                .doesNotContain(SECRET);
    }

    @Test
    void aRemoteDatasetMustBePinnedByItsOwnName() throws Exception {
        assertThatThrownBy(() -> files(environment()).localize(assignment("/m.pt", "s3://data/tabular/breast-cancer.parquet", "")))
                .hasMessageContaining("datasetChecksums must list its file breast-cancer.parquet");
        assertThatThrownBy(() -> files(environment()).localize(assignment("/m.pt", "s3://data/tabular/breast-cancer.parquet",
                pinned("other.parquet")))).hasMessageContaining("listed: other.parquet");
        assertThat(store.requests()).isZero();
    }

    @Test
    void aFileThatIsNotTheOnePinnedIsRefusedAndNothingIsKept() throws Exception {
        store.file("/data/tabular/breast-cancer.parquet", Files.readAllBytes(MODELS.resolve("breast-cancer.npz")));
        assertThatThrownBy(() -> files(environment()).localize(assignment("/m.pt", "s3://data/tabular/breast-cancer.parquet",
                pinned("breast-cancer.parquet")))).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("dataset s3://data/tabular/breast-cancer.parquet has sha256 "
                        + Sha256.of(MODELS.resolve("breast-cancer.npz")));
        try (var left = Files.walk(cache)) {
            assertThat(left.filter(Files::isRegularFile).collect(Collectors.toList())).isEmpty();
        }
    }

    @Test
    void aWrongSecretIsRefusedByTheStoreAndNeverShown() throws Exception {
        Map<String, String> wrong = new java.util.HashMap<>(environment());
        wrong.put("AWS_SECRET_ACCESS_KEY", SECRET + "x");
        assertThatThrownBy(() -> files(wrong).localize(assignment("s3://models/tabular/robust.pt", "/data", "")))
                .hasMessageContaining("GET s3://models/tabular/robust.pt answered 403")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void localFilesAreLeftToTheReadersAndNothingIsFetched() throws Exception {
        Assignment a = assignment("/m.pt", MODELS.resolve("breast-cancer.parquet").toString(), "");
        assertThat(files(Map.of()).localize(a)).isSameAs(a);
        assertThat(RemoteFiles.fileName("https://h/d/x.csv?X-Amz-Signature=s")).isEqualTo("x.csv");
        assertThat(List.of(RemoteFiles.remote("s3://b/k"), RemoteFiles.remote("https://h/p"), RemoteFiles.remote("file:///p"),
                RemoteFiles.remote("/p"))).containsExactly(true, true, false, false);
    }
}
