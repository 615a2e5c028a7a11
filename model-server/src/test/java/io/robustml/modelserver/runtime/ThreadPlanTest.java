package io.robustml.modelserver.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThreadPlanTest {
    @Test
    void instancesTimesEngineThreadsNeverExceedTheCpus() {
        assertThat(ThreadPlan.of(2, 0, 0)).isEqualTo(new ThreadPlan(2, 1, 1));
        assertThat(ThreadPlan.of(8, 2, 0)).as("4 CPUs left to each of 2 instances").isEqualTo(new ThreadPlan(2, 4, 1));
        assertThat(ThreadPlan.of(8, 3, 0)).isEqualTo(new ThreadPlan(3, 2, 1));
        assertThat(ThreadPlan.of(1, 4, 0)).as("more instances than CPUs: one thread each").isEqualTo(new ThreadPlan(4, 1, 1));
        for (int cpus = 1; cpus <= 64; cpus++) {
            ThreadPlan p = ThreadPlan.of(cpus, 0, 0);
            assertThat(p.instances() * p.intraOpThreads()).isLessThanOrEqualTo(cpus);
        }
    }

    @Test
    void whatIsConfiguredWins() {
        assertThat(ThreadPlan.of(16, 1, 0)).isEqualTo(new ThreadPlan(1, 16, 1));
        assertThat(ThreadPlan.of(16, 2, 3)).isEqualTo(new ThreadPlan(2, 3, 1));
    }
}
