package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation set from a NumPy archive and from an image folder, as the tester loads them for a [1, 28, 28] model. */
class DatasetFormatsTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final Path PYTHON = Path.of(System.getProperty("user.home"), ".cache/robustml/venv/bin/python");
    private static final long[] MODEL = {1, 28, 28};

    @TempDir
    Path dir;

    @Test
    void aNumpyArchiveWithItsDigestGivesBalancedExamplesAndAPoolBeyondThem() throws Exception {
        Path npz = dir.resolve("test.npz");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", """
                import gzip, sys, numpy as np
                x = np.frombuffer(gzip.open(sys.argv[1] + '/t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
                y = np.frombuffer(gzip.open(sys.argv[1] + '/t10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
                np.savez_compressed(sys.argv[2], x=x[:500], y=y[:500])
                """, FASHION.toString(), npz.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0).as(out).isTrue();
        Map<String, String> digest = Map.of("test.npz", io.robustml.fetch.Sha256.of(npz));
        EvaluationData data = EvaluationData.load(npz.toUri().toString(), 30, 100, digest, MODEL);
        assertThat(data.test().count()).isEqualTo(30);
        assertThat(data.pool().count()).isEqualTo(100);
        assertThat(data.test().labels()).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThatThrownBy(() -> EvaluationData.load(npz.toString(), 30, 0, Map.of("test.npz", "0".repeat(64)), MODEL))
                .hasMessageContaining("refusing the dataset");
        assertThatThrownBy(() -> EvaluationData.load(npz.toString(), 30, 0, Map.of(), null))
                .hasMessageContaining("needs the model's input shape");
    }

    @Test
    void anImageFolderSplitIntoTestAndTrainGivesTheEvaluationAndThePool() throws Exception {
        LabelledImages idx = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), 80);
        for (int i = 0; i < 80; i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int px = 0; px < 784; px++) {
                image.getRaster().setSample(px % 28, px / 28, 0, Math.round(idx.images()[i][px] * 255));
            }
            Path classDir = Files.createDirectories(dir.resolve(i < 60 ? "test" : "train").resolve("class-" + idx.labels()[i]));
            ImageIO.write(image, "png", classDir.resolve(i + ".png").toFile());
        }
        EvaluationData data = EvaluationData.load(dir.toString(), 20, 10, Map.of(), MODEL);
        assertThat(data.test().count()).isEqualTo(20);
        assertThat(data.pool().count()).isEqualTo(10);
        assertThat(data.test().channels()).isEqualTo(1);
        EvaluationData noPool = EvaluationData.load(dir.resolve("test").toString(), 20, 0, Map.of(), MODEL);
        assertThat(noPool.pool()).isNull();
        assertThat(noPool.test().images()[0]).hasSize(784);
    }
}
