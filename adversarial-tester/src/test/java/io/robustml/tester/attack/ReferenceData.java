package io.robustml.tester.attack;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/** The committed reference models and Fashion-MNIST from Debian's dataset-fashion-mnist. */
final class ReferenceData {
    static final Path MODELS = Path.of("../model-server/models");
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static final long[] EXAMPLE_SHAPE = {1, 28, 28};
    static final Geometry GEOMETRY = new Geometry(1, 28, 28);

    private ReferenceData() {
    }

    static Path model(String name) {
        return MODELS.resolve("fashion-" + name + ".pt");
    }

    static LabelledImages test(int count) {
        try {
            return IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static LabelledImages train(int count) {
        try {
            return IdxFiles.read(FASHION.resolve("train-images-idx3-ubyte.gz"), FASHION.resolve("train-labels-idx1-ubyte.gz"), count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[][] images(LabelledImages d, int from, int to) {
        return Arrays.copyOfRange(d.images(), from, to);
    }
}
