package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Output hardening on answers shaped like the model server's (scores [n, classes] FP32 and label [n] INT64). */
class OutputHardeningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "{\"model_name\":\"fashion\",\"outputs\":["
            + "{\"name\":\"scores\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[0.1234,0.5,0.0499,0.3267,0.9,0.05,0.03,0.02]},"
            + "{\"name\":\"label\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[1,0]}]}";

    private static JsonNode harden(String spec) throws Exception {
        JsonNode answer = JSON.readTree(ANSWER);
        OutputHardening.of(spec(spec)).apply(answer);
        return answer;
    }

    /** {@code outputHardening} as detector.json carries it, read and checked by the contract. */
    private static io.robustml.oip.detector.DetectorConfig.OutputHardening spec(String outputHardening) {
        return io.robustml.oip.detector.DetectorConfig.read(JSON, ("{\"detector\":{\"outputHardening\":" + outputHardening + "}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).detector().outputHardening();
    }

    @Test
    void topKKeepsTheBestClassesInOrderWithTheirIndicesAndRounds() throws Exception {
        JsonNode a = harden("{\"exposure\":\"topK\",\"topK\":2,\"roundingDecimals\":1}");
        assertThat(a.at("/outputs/0/name").asText()).isEqualTo("scores");
        assertThat(a.at("/outputs/0/shape").toString()).isEqualTo("[2,2]");
        assertThat(a.at("/outputs/0/data").toString()).isEqualTo("[0.5,0.3,0.9,0.1]");
        assertThat(a.at("/outputs/1/name").asText()).isEqualTo("scores_classes");
        assertThat(a.at("/outputs/1/data").toString()).isEqualTo("[1,3,0,1]");
        assertThat(a.at("/outputs/2/data").toString()).as("the label output is kept").isEqualTo("[1,0]");
    }

    @Test
    void labelExposureDropsTheScores() throws Exception {
        JsonNode a = harden("{\"exposure\":\"label\"}");
        assertThat(a.path("outputs")).hasSize(1);
        assertThat(a.at("/outputs/0/name").asText()).isEqualTo("label");
        assertThat(a.at("/outputs/0/data").toString()).isEqualTo("[1,0]");
        JsonNode scoresOnly = JSON.readTree("{\"outputs\":[{\"name\":\"logits\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.1,2.5,-1]}]}");
        OutputHardening.of(spec("{\"exposure\":\"label\"}")).apply(scoresOnly);
        assertThat(scoresOnly.at("/outputs/0/name").asText()).as("a label is derived when the server sends none").isEqualTo("label");
        assertThat(scoresOnly.at("/outputs/0/data").toString()).isEqualTo("[1]");
    }

    @Test
    void roundingAloneKeepsEveryClass() throws Exception {
        JsonNode a = harden("{\"roundingDecimals\":2}");
        assertThat(a.at("/outputs/0/data").toString()).isEqualTo("[0.12,0.5,0.05,0.33,0.9,0.05,0.03,0.02]");
        assertThat(harden("{}").toString()).isEqualTo(JSON.readTree(ANSWER).toString());
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> harden("{\"exposure\":\"topK\"}")).hasMessageContaining("topK");
        assertThatThrownBy(() -> harden("{\"exposure\":\"everything\"}")).hasMessageContaining("exposure");
    }
}
