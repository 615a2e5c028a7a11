package io.robustml.oip.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .npz archives written by NumPy itself (the test environment's numpy, scripts/python-env) from the
 * Fashion-MNIST test set, read back and compared with the idx files they came from.
 */
class NumpyFilesTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final Path PYTHON = Path.of(System.getProperty("user.home"), ".cache/robustml/venv/bin/python");
    private static final long[] MODEL = {1, 28, 28};

    @TempDir
    static Path dir;
    static LabelledImages idx;

    @BeforeAll
    static void numpyWritesTheArchives() throws Exception {
        idx = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), 0);
        String script = """
                import gzip, sys, numpy as np
                d = sys.argv[1]
                x = np.frombuffer(gzip.open(d + '/t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28)
                y = np.frombuffer(gzip.open(d + '/t10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8).astype(np.int64)
                np.savez_compressed(sys.argv[2] + '/uint8-nhw.npz', x=x, y=y)
                f = (x.astype(np.float32) / np.float32(255))[..., None]
                np.savez(sys.argv[2] + '/float-nhwc.npz', x_test=f[:100], y_test=y[:100].astype(np.int32), x_train=f[100:300], y_train=y[100:300])
                np.save(sys.argv[2] + '/fortran.npy', np.asfortranarray(f[:4, :, :, 0]))
                np.save(sys.argv[2] + '/big-endian.npy', x[:3].astype('>i4'))
                np.save(sys.argv[2] + '/complex.npy', np.zeros(3, np.complex64))
                np.save(sys.argv[2] + '/y3.npy', y[:3])
                """;
        Path py = dir.resolve("write.py");
        Files.writeString(py, script);
        assertThat(Files.isExecutable(PYTHON)).as(PYTHON + ": scripts/python-env").isTrue();
        Process p = new ProcessBuilder(PYTHON.toString(), py.toString(), FASHION.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void uint8ImagesAreScaledLikeTheIdxFilesAndTakenClassByClass() throws IOException {
        Map<String, NumpyFiles.Array> npz = NumpyFiles.readNpz(dir.resolve("uint8-nhw.npz"));
        assertThat(npz.get("x").shape()).containsExactly(10_000, 28, 28);
        LabelledImages all = NumpyFiles.images(npz.get("x"), npz.get("y"), MODEL, 0);
        assertThat(all.count()).isEqualTo(10_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(all.images()[i]).isEqualTo(idx.images()[i]);
            assertThat(all.labels()[i]).isEqualTo(idx.labels()[i]);
        }
        LabelledImages twenty = NumpyFiles.images(npz.get("x"), npz.get("y"), MODEL, 20);
        int[] perClass = new int[10];
        for (int label : twenty.labels()) {
            perClass[label]++;
        }
        assertThat(perClass).as("two of each class").containsOnly(2);
        assertThat(twenty.labels()).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void floatNhwcImagesAreTransposedToTheModelsChannelsFirstLayout() throws IOException {
        Map<String, NumpyFiles.Array> npz = NumpyFiles.readNpz(dir.resolve("float-nhwc.npz"));
        assertThat(npz.keySet()).containsExactly("x_test", "y_test", "x_train", "y_train");
        LabelledImages test = NumpyFiles.images(npz.get("x_test"), npz.get("y_test"), MODEL, 0);
        assertThat(test.count()).isEqualTo(100);
        assertThat(test.images()[7]).as("float32 x / 255 in NumPy is the idx reader's value, bit for bit").isEqualTo(idx.images()[7]);
        LabelledImages pool = NumpyFiles.images(npz.get("x_train"), npz.get("y_train"), MODEL, 0);
        assertThat(pool.images()[0]).isEqualTo(idx.images()[100]);
        assertThatThrownBy(() -> NumpyFiles.images(npz.get("x_test"), npz.get("y_test"), new long[] {3, 28, 28}, 0))
                .hasMessageContaining("holds examples of shape [28, 28, 1]; the model takes [3, 28, 28]");
    }

    @Test
    void whatCannotBeReadIsRefusedWithTheReason() throws IOException {
        assertThatThrownBy(() -> NumpyFiles.readNpy(dir.resolve("fortran.npy"))).hasMessageContaining("Fortran order");
        assertThatThrownBy(() -> NumpyFiles.readNpy(dir.resolve("complex.npy"))).hasMessageContaining("dtype <c8 is not supported");
        NumpyFiles.Array big = NumpyFiles.readNpy(dir.resolve("big-endian.npy"));
        assertThat(big.values()[28 * 14 + 14]).isEqualTo(idx.images()[0][28 * 14 + 14] * 255f, org.assertj.core.data.Offset.offset(1e-3f));
        NumpyFiles.Array x = NumpyFiles.readNpz(dir.resolve("uint8-nhw.npz")).get("x");
        assertThatThrownBy(() -> NumpyFiles.images(big, big, MODEL, 0)).hasMessageContaining("one integer class index per example");
        assertThatThrownBy(() -> NumpyFiles.images(big, NumpyFiles.readNpy(dir.resolve("y3.npy")), MODEL, 0))
                .hasMessageContaining("integer pixels must be uint8");
        Path lying = dir.resolve("lying.npy");
        byte[] header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 2), }          \n"
                .getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length).put(header);
        Files.write(lying, b.array());
        assertThatThrownBy(() -> NumpyFiles.readNpy(lying)).hasMessageContaining("is larger than");
        Files.writeString(dir.resolve("not.npz"), "hello");
        assertThatThrownBy(() -> NumpyFiles.readNpz(dir.resolve("not.npz"))).isInstanceOf(IOException.class);
        assertThat(x.integral()).isTrue();
        assertThat(List.of(x.shape()[0])).containsExactly(10_000L);
    }
}
