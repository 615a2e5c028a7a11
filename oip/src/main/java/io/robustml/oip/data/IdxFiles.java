package io.robustml.oip.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Images and labels in the idx format of MNIST and Fashion-MNIST (optionally gzipped), with pixels
 * scaled to [0, 1]. Format: big-endian magic 0x0000080N (N = dimensions), N sizes, then unsigned bytes.
 */
public final class IdxFiles {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxFiles() {
    }

    public static LabelledImages read(Path imagesFile, Path labelsFile, int limit) throws IOException {
        try (DataInputStream images = open(imagesFile); DataInputStream labels = open(labelsFile)) {
            expectMagic(images, IMAGES_MAGIC, imagesFile);
            expectMagic(labels, LABELS_MAGIC, labelsFile);
            int n = images.readInt();
            int rows = images.readInt();
            int cols = images.readInt();
            int nLabels = labels.readInt();
            if (n != nLabels) {
                throw new IOException(imagesFile + " has " + n + " images but " + labelsFile + " has " + nLabels + " labels");
            }
            if (n < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > 1 << 24) {
                throw new IOException(imagesFile + ": implausible header " + n + "x" + rows + "x" + cols);
            }
            int count = limit > 0 ? Math.min(limit, n) : n;
            float[][] x = new float[count][rows * cols];
            int[] y = new int[count];
            byte[] row = new byte[rows * cols];
            for (int i = 0; i < count; i++) {
                images.readFully(row);
                for (int j = 0; j < row.length; j++) {
                    x[i][j] = (row[j] & 0xff) / 255f;
                }
                y[i] = labels.readUnsignedByte();
            }
            return new LabelledImages(count, 1, rows, cols, x, y);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(in);
    }

    private static void expectMagic(DataInputStream in, int magic, Path file) throws IOException {
        int actual = in.readInt();
        if (actual != magic) {
            throw new IOException(String.format("%s: not an idx file of the expected kind (magic 0x%08x, want 0x%08x)",
                    file, actual, magic));
        }
    }
}
