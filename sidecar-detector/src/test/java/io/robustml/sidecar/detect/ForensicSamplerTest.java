package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForensicSamplerTest {
    private static int admitted(ForensicSampler sampler, String client, int rows, long at) {
        int n = 0;
        for (int i = 0; i < rows; i++) {
            n += sampler.admits(client, at) ? 1 : 0;
        }
        return n;
    }

    @Test
    void anAttackOf45000FlaggedRowsInAMinuteLeavesABoundedSampledRecord() {
        ForensicSampler sampler = new ForensicSampler(60, 100, 1000);
        assertThat(admitted(sampler, "addr:10.0.0.9", 45_722, 0)).isEqualTo(60 + (45_722 - 60) / 100);
        assertThat(admitted(sampler, "addr:10.0.0.7", 30, 0)).as("another client keeps its own budget").isEqualTo(30);
        assertThat(admitted(sampler, "addr:10.0.0.9", 60, 60_000)).as("a new minute, a new budget").isEqualTo(60);
    }

    @Test
    void forgetsTheLeastRecentClientsBeyondItsBound() {
        ForensicSampler sampler = new ForensicSampler(1, 1000, 2);
        assertThat(sampler.admits("a", 0)).isTrue();
        assertThat(sampler.admits("a", 0)).isFalse();
        sampler.admits("b", 0);
        sampler.admits("c", 0); // a forgotten
        assertThat(sampler.admits("a", 0)).isTrue();
    }
}
