package io.robustml.modelserver.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.robustml.modelserver.Fixtures;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DJL reproduces, from the committed files, the clean test accuracy their training run recorded
 * (Python/PyTorch), for every model and format: the files, the digests and the runtime agree.
 */
class ReferenceModelAccuracyTest {
    private static final int BATCH = 500;

    static Stream<Arguments> committedModels() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        JsonNode models = Fixtures.metrics().get("models");
        models.fieldNames().forEachRemaining(name -> {
            JsonNode m = models.get(name);
            for (String format : List.of("torchscript", "onnx")) {
                JsonNode file = m.at("/files/" + format);
                if (!file.isMissingNode()) {
                    cases.add(Arguments.of(name, format, file.get("file").asText(), file.get("sha256").asText(),
                            m.get("clean_accuracy").asDouble()));
                }
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("committedModels")
    void reproducesTheRecordedCleanAccuracy(String model, String format, String file, String sha256,
            double recordedAccuracy) throws Exception {
        var path = Fixtures.MODELS.resolve(file);
        io.robustml.fetch.Sha256.verify("model file", path, sha256);
        LabelledImages test = Fixtures.testSet(0);
        int correct = 0;
        try (DjlModel djl = DjlModel.load(path, format, new ThreadPlan(1, 1, 1))) {
            for (int start = 0; start < test.count(); start += BATCH) {
                int n = Math.min(BATCH, test.count() - start);
                float[] batch = new float[n * 784];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(test.images()[start + i], 0, batch, i * 784, 784);
                }
                long[] predicted = djl.predict(batch, new long[] {n, 1, 28, 28}).argmax();
                for (int i = 0; i < n; i++) {
                    correct += predicted[i] == test.labels()[start + i] ? 1 : 0;
                }
            }
        }
        double accuracy = correct / (double) test.count();
        System.out.printf("[reference-models] %s %s: DJL clean accuracy %.4f (recorded %.4f)%n", model, format,
                accuracy, recordedAccuracy);
        // Same weights, another libtorch/ONNX Runtime build: at most a few borderline examples may flip.
        assertThat(accuracy).isCloseTo(recordedAccuracy, org.assertj.core.data.Offset.offset(0.002));
    }
}
