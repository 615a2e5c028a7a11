package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset digests are checked before anything is read, and the report fits its ConfigMap. */
class DatasetChecksumsTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void theRealDatasetWithItsDigestsLoads() throws Exception {
        Map<String, String> digests = Map.of(
                "t10k-images-idx3-ubyte.gz", io.robustml.fetch.Sha256.of(FASHION.resolve("t10k-images-idx3-ubyte.gz")),
                "t10k-labels-idx1-ubyte.gz", io.robustml.fetch.Sha256.of(FASHION.resolve("t10k-labels-idx1-ubyte.gz")));
        EvaluationData data = EvaluationData.load(FASHION.toUri().toString(), 20, 0, digests, null);
        assertThat(data.test().count()).isEqualTo(20);
        // The attacker's pool reads the train-* pair too: unlisted, so refused.
        assertThatThrownBy(() -> EvaluationData.load(FASHION.toString(), 20, 50, digests, null))
                .hasMessageContaining("dataset file train-images-idx3-ubyte.gz would be read but has no sha256");
    }

    @Test
    void aChangedByteIsRefusedNamingTheFileAndBothDigests(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), "images".getBytes(StandardCharsets.UTF_8));
        String good = io.robustml.fetch.Sha256.of(dir.resolve("a"));
        assertThatCode(() -> DatasetChecksums.verify(dir, List.of(dir.resolve("a")), Map.of("a", good))).doesNotThrowAnyException();
        Files.write(dir.resolve("a"), "imageS".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> DatasetChecksums.verify(dir, List.of(dir.resolve("a")), Map.of("a", good)))
                .hasMessageContaining("dataset file a has sha256 " + io.robustml.fetch.Sha256.of(dir.resolve("a")))
                .hasMessageContaining("datasetChecksums says " + good);
    }

    @Test
    void aListedFileThatIsNotThereOrOutsideTheDatasetIsRefused(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.write(dir.resolve("secret"), new byte[] {1});
        String any = "0".repeat(64);
        assertThatThrownBy(() -> DatasetChecksums.verify(dir.resolve("data"), List.of(), Map.of("missing.gz", any)))
                .hasMessageContaining("lists missing.gz, which is not a file of the dataset");
        assertThatThrownBy(() -> DatasetChecksums.verify(dir.resolve("data"), List.of(), Map.of("../secret", any)))
                .hasMessageContaining("not a file of the dataset");
    }

    @Test
    void noChecksumsChecksNothing(@TempDir Path dir) {
        assertThatCode(() -> DatasetChecksums.verify(dir, List.of(dir.resolve("absent")), Map.of())).doesNotThrowAnyException();
    }

    @Test
    void aReportIsTextUpToTheLimitThenGzipThenRefused() throws Exception {
        byte[] small = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(ReportStore.encode(small)).hasValueSatisfying(e -> {
            assertThat(e.key()).isEqualTo("report.json");
            assertThat(e.text()).isEqualTo("{\"a\":1}");
        });
        byte[] large = ("{\"x\":\"" + "ab".repeat(ReportStore.MAX_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        var gz = ReportStore.encode(large).orElseThrow();
        assertThat(gz.key()).isEqualTo("report.json.gz");
        String wire = Base64.getEncoder().encodeToString(gz.gzip());
        assertThat(wire.length()).isLessThanOrEqualTo(ReportStore.MAX_BYTES);
        try (var in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(wire)))) {
            assertThat(in.readAllBytes()).isEqualTo(large);
        }
        byte[] noise = new byte[2 * ReportStore.MAX_BYTES];
        new Random(7).nextBytes(noise); // incompressible
        assertThat(ReportStore.encode(noise)).isEmpty();
    }
}
