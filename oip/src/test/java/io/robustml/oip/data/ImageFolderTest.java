package io.robustml.oip.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fashion-MNIST test images written as PNG and JPEG class folders, read back. */
class ImageFolderTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String[] CLASSES = {"0-tshirt", "1-trouser", "2-pullover", "3-dress", "4-coat", "5-sandal", "6-shirt",
        "7-sneaker", "8-bag", "9-boot"};

    @TempDir
    Path dir;

    private LabelledImages writeFolder(int n, String format, int type) throws IOException {
        LabelledImages idx = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), n);
        for (int i = 0; i < n; i++) {
            BufferedImage image = new BufferedImage(28, 28, type);
            for (int p = 0; p < 784; p++) {
                int v = Math.round(idx.images()[i][p] * 255);
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    image.getRaster().setSample(p % 28, p / 28, 0, v);
                } else {
                    image.setRGB(p % 28, p / 28, (v << 16) | (v << 8) | v);
                }
            }
            Path classDir = Files.createDirectories(dir.resolve(CLASSES[idx.labels()[i]]));
            ImageIO.write(image, format, classDir.resolve(String.format("%05d.%s", i, format)).toFile());
        }
        return idx;
    }

    @Test
    void grayPngsReadBackAsTheIdxPixelsWithTheirFoldersClass() throws IOException {
        LabelledImages idx = writeFolder(60, "png", BufferedImage.TYPE_BYTE_GRAY);
        assertThat(ImageFolder.isOne(dir)).isTrue();
        assertThat(ImageFolder.classes(dir)).containsExactly(CLASSES);
        List<Path> files = ImageFolder.files(dir, 20);
        LabelledImages read = ImageFolder.read(dir, files, 1, 28, 28);
        assertThat(read.labels()).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 9); // class by class in turn
        for (int i = 0; i < read.count(); i++) {
            int index = Integer.parseInt(files.get(i).getFileName().toString().substring(0, 5));
            assertThat(read.images()[i]).as(files.get(i).toString()).isEqualTo(idx.images()[index]);
            assertThat(read.labels()[i]).isEqualTo(idx.labels()[index]);
        }
    }

    @Test
    void colourImagesGiveThreeChannelsOrTheirLuma() throws IOException {
        LabelledImages idx = writeFolder(10, "png", BufferedImage.TYPE_INT_RGB);
        List<Path> files = ImageFolder.files(dir, 0);
        LabelledImages rgb = ImageFolder.read(dir, files, 3, 28, 28);
        int index = Integer.parseInt(files.get(0).getFileName().toString().substring(0, 5));
        for (int c = 0; c < 3; c++) {
            assertThat(java.util.Arrays.copyOfRange(rgb.images()[0], c * 784, (c + 1) * 784)).isEqualTo(idx.images()[index]);
        }
        LabelledImages luma = ImageFolder.read(dir, files, 1, 28, 28);
        for (int p = 0; p < 784; p++) {
            assertThat(luma.images()[0][p]).isCloseTo(idx.images()[index][p], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void jpegsDecodeAndAWrongSizeIsRefused() throws IOException {
        writeFolder(10, "jpg", BufferedImage.TYPE_BYTE_GRAY);
        LabelledImages read = ImageFolder.read(dir, ImageFolder.files(dir, 0), 1, 28, 28);
        assertThat(read.count()).isEqualTo(10);
        assertThatThrownBy(() -> ImageFolder.read(dir, ImageFolder.files(dir, 0), 1, 32, 32))
                .hasMessageContaining("is 28x28; the model takes 32x32");
        assertThatThrownBy(() -> ImageFolder.read(dir, ImageFolder.files(dir, 0), 2, 28, 28)).hasMessageContaining("1 or 3 channels");
    }
}
