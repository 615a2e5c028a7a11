package io.robustml.modelserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.io.IOException;
import java.nio.file.Path;

/** The committed reference models and what their training run recorded (models/metrics.json). */
public final class Fixtures {
    public static final Path MODELS = Path.of("models");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    private Fixtures() {
    }

    public static JsonNode metrics() throws IOException {
        return new ObjectMapper().readTree(MODELS.resolve("metrics.json").toFile());
    }

    /** The Fashion-MNIST test set from Debian's dataset-fashion-mnist. */
    public static LabelledImages testSet(int limit) throws IOException {
        return IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"),
                limit);
    }
}
