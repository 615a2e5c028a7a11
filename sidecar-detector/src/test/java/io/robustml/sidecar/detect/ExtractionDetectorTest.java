package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class ExtractionDetectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsEachRowsClassFromTheLogitsOrElseTheLabels() throws Exception {
        JsonNode logits = JSON.readTree("{\"outputs\":[{\"name\":\"logits\",\"shape\":[2,3],\"datatype\":\"FP32\","
                + "\"data\":[0.1,2,0.3, 5,1,1]},{\"name\":\"label\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[0,0]}]}");
        assertThat(ExtractionDetector.predictedClasses(logits, 2)).containsExactly(1, 0);
        JsonNode labelsOnly = JSON.readTree("{\"outputs\":[{\"name\":\"label\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[7,4]}]}");
        assertThat(ExtractionDetector.predictedClasses(labelsOnly, 2)).containsExactly(7, 4);
        assertThat(ExtractionDetector.predictedClasses(JSON.readTree("{\"outputs\":[]}"), 2)).containsExactly(0, 0);
    }

    @Test
    void givesAVerdictPerRowUnderItsClient() throws Exception {
        Prada prada = new Prada(0.9, 10, Long.MAX_VALUE, 1 << 20, 100, 500);
        ExtractionDetector detector = new ExtractionDetector(prada, new SimpleMeterRegistry());
        InputRows rows = new InputRows(new long[] {2, 4}, new float[] {0, 0, 0, 1, 1, 1, 1, 0}, 2, 4);
        JsonNode answer = JSON.readTree("{\"outputs\":[{\"name\":\"label\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[1,2]}]}");
        ExtractionDetector.Result r = detector.observe("team-a", rows, answer);
        assertThat(r.verdicts()).hasSize(2);
        assertThat(r.flagged(0)).as("two queries are no evidence").isFalse();
        assertThat(prada.clients()).isEqualTo(1);
        ObjectNode scores = JSON.createObjectNode();
        r.writeScores(1, scores);
        assertThat(scores.has("extractionShapiroW")).isTrue();
        assertThat(scores.path("extractionDistances").isInt()).isTrue();
    }
}
