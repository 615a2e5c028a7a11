package io.robustml.oip.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
    /** Installed by .ci/run from Debian's dataset-fashion-mnist package. */
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsTheFashionMnistTestSet() throws IOException {
        LabelledImages test = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"),
                FASHION.resolve("t10k-labels-idx1-ubyte.gz"), 0);
        assertThat(test.count()).isEqualTo(10_000);
        assertThat(test.rows()).isEqualTo(28);
        assertThat(test.cols()).isEqualTo(28);
        int[] perClass = new int[10];
        for (int label : test.labels()) {
            perClass[label]++;
        }
        assertThat(perClass).containsOnly(1000); // the test set is balanced: 1,000 images per class
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : test.images()[0]) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isEqualTo(0f); // background pixels
        assertThat(max).isGreaterThan(0.5f).isLessThanOrEqualTo(1f);
    }

    @Test
    void scalesPixelsAndHonoursTheLimit(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("images-idx3-ubyte");
        Path labels = dir.resolve("labels-idx1-ubyte");
        try (var out = new DataOutputStream(Files.newOutputStream(images))) {
            out.writeInt(0x803);
            out.writeInt(3);
            out.writeInt(1);
            out.writeInt(2);
            out.write(new byte[] {0, (byte) 255, (byte) 51, 0, 1, 2});
        }
        try (var out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x801);
            out.writeInt(3);
            out.write(new byte[] {7, 3, 9});
        }
        LabelledImages ds = IdxFiles.read(images, labels, 2);
        assertThat(ds.count()).isEqualTo(2);
        assertThat(ds.images()[0]).containsExactly(0f, 1f);
        assertThat(ds.images()[1][0]).isEqualTo(0.2f);
        assertThat(Arrays.stream(ds.labels()).boxed()).containsExactly(7, 3);
    }

    @Test
    void rejectsAFileOfTheWrongKind(@TempDir Path dir) throws IOException {
        Path labels = dir.resolve("labels-idx1-ubyte");
        try (var out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x801);
            out.writeInt(0);
        }
        assertThatThrownBy(() -> IdxFiles.read(labels, labels, 0)).hasMessageContaining("magic");
    }
}
