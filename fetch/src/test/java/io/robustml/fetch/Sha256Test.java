package io.robustml.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
    // sha256("abc") from FIPS 180-2, appendix B.1.
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void computesTheStandardDigest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("model.pt"), "abc", StandardCharsets.US_ASCII);
        assertThat(Sha256.of(file)).isEqualTo(ABC);
    }

    @Test
    void acceptsAMatchingFileWhateverTheCaseOfTheExpectedDigest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("model.pt"), "abc", StandardCharsets.US_ASCII);
        assertThatCode(() -> Sha256.verify("model file", file, ABC.toUpperCase())).doesNotThrowAnyException();
    }

    @Test
    void refusesATamperedFileNamingBothDigests(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("model.pt"), "abd", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Sha256.verify("model file", file, ABC))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining(ABC).hasMessageContaining("refusing to use it");
    }

    @Test
    void refusesAMalformedExpectedDigest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("model.pt"), "abc", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> Sha256.verify("model file", file, "not-a-digest"))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("64 hex");
    }
}
