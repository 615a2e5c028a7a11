package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.Fingerprints;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuerySimilarityDetectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DetectorSettings SETTINGS = DetectorSettings.of(io.robustml.oip.detector.DetectorConfig.read(JSON,
            "{\"detector\":{\"methods\":[\"querySimilarity\"]}}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).detector());

    private static InputRows rows(float[]... images) {
        float[] values = new float[images.length * 784];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i], 0, values, i * 784, 784);
        }
        return new InputRows(new long[] {images.length, 1, 28, 28}, values, images.length, 784);
    }

    private static float[] image(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        return x;
    }

    @Test
    void aReplayIsFlaggedOnlyOnceTheFirstQueryWasRecorded() {
        QuerySimilarityDetector detector = new QuerySimilarityDetector(new FingerprintStore(1000, Long.MAX_VALUE,
                Fingerprints.BUCKET_CAP), new SimpleMeterRegistry());
        float[] x = image(1);
        QuerySimilarityDetector.Result first = detector.inspect(rows(x), SETTINGS);
        assertThat(first.flagged(0)).isFalse();
        assertThat(detector.inspect(rows(x), SETTINGS).flagged(0)).as("not recorded (the request failed): no trace").isFalse();
        detector.record(first);
        QuerySimilarityDetector.Result replay = detector.inspect(rows(x), SETTINGS);
        assertThat(replay.flagged(0)).isTrue();
        assertThat(replay.detector()).isEqualTo("querySimilarity");
        ObjectNode scores = JSON.createObjectNode();
        replay.writeScores(0, scores);
        assertThat(scores.path("querySimilarityMatches").asInt()).isEqualTo(DetectorSettings.TOP_HASHES);
    }

    @Test
    void rowsOfOneRequestAreComparedWithEachOther() {
        QuerySimilarityDetector detector = new QuerySimilarityDetector(new FingerprintStore(1000, Long.MAX_VALUE,
                Fingerprints.BUCKET_CAP), new SimpleMeterRegistry());
        QuerySimilarityDetector.Result r = detector.inspect(rows(image(2), image(3), image(2)), SETTINGS);
        assertThat(new boolean[] {r.flagged(0), r.flagged(1), r.flagged(2)}).containsExactly(false, false, true);
    }
}
