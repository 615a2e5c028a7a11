package io.robustml.tester.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OipTargetTest {
    @Test
    void readsOneVerdictPerRow() {
        assertThat(OipTarget.parseVerdicts("0,1, 0", 3)).containsExactly(false, true, false);
        assertThatThrownBy(() -> OipTarget.parseVerdicts("1", 2)).hasMessageContaining("1 verdicts for 2 inputs");
    }

    @Test
    void latencyPercentilesUseNearestRank() {
        LatencyRecorder r = new LatencyRecorder();
        assertThat(r.percentileMillis(50)).isNaN();
        for (int i = 1; i <= 100; i++) {
            r.record(i * 1_000_000L);
        }
        assertThat(r.percentileMillis(50)).isEqualTo(50.0);
        assertThat(r.percentileMillis(99)).isEqualTo(99.0);
        assertThat(r.percentileMillis(100)).isEqualTo(100.0);
    }
}
