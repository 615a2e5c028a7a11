package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class FeatureSqueezingDetectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void flagsScoresAboveTheThresholdAndNothingWhileUncalibrated() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FeatureSqueezingDetector detector = new FeatureSqueezingDetector(registry);
        double[] scores = {0.01, 0.7, 1.9};
        FeatureSqueezingDetector.Result calibrated = detector.score(scores, DetectorSettings.squeezing(0.5, 4, 2));
        assertThat(new boolean[] {calibrated.flagged(0), calibrated.flagged(1), calibrated.flagged(2)})
                .containsExactly(false, true, true);
        FeatureSqueezingDetector.Result pending = detector.score(scores, DetectorSettings.squeezing(null, 4, 2));
        assertThat(pending.flagged(2)).as("no threshold yet: measured, never flagged").isFalse();
        ObjectNode written = JSON.createObjectNode();
        calibrated.writeScores(1, written);
        assertThat(written.path("featureSqueezing").asDouble()).isEqualTo(0.7);
        assertThat(registry.summary("robustml_sidecar_squeezing_score").count()).isEqualTo(6);
    }
}
