package io.robustml.modelserver.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPolicyTest {
    private static final long MS = 1_000_000;

    private static int take(BatchPolicy p, long waited, int... rows) {
        return p.take(rows, rows.length, waited);
    }

    @Test
    void withoutDelayEverythingQueuedThatFitsGoesAtOnce() {
        BatchPolicy p = new BatchPolicy(8, List.of(), 0);
        assertThat(take(p, 0, 1)).as("a lone request never waits").isEqualTo(1);
        assertThat(take(p, 0, 1, 1, 1)).isEqualTo(3);
        assertThat(take(p, 0, 3, 4, 2)).as("requests are never split: 3+4 fit, +2 does not").isEqualTo(2);
        assertThat(take(p, 0, 20, 1)).as("larger than the largest batch: alone").isEqualTo(1);
        assertThat(take(p, 0, 8, 1)).isEqualTo(1);
    }

    @Test
    void aDelayWaitsForCompanyUntilTheBatchIsFullOrTheOldestHasWaitedIt() {
        BatchPolicy p = new BatchPolicy(4, List.of(), 2 * MS);
        assertThat(take(p, MS, 1, 1)).as("not full, delay not over").isZero();
        assertThat(take(p, 2 * MS, 1, 1)).isEqualTo(2);
        assertThat(take(p, 0, 1, 1, 2)).as("full").isEqualTo(3);
        assertThat(take(p, 0, 3, 2)).as("the next one does not fit: nothing to wait for").isEqualTo(1);
    }

    @Test
    void aPreferredSizeGoesAtOnceAndTheLargestPreferredWins() {
        BatchPolicy p = new BatchPolicy(16, List.of(4, 8), 10 * MS);
        assertThat(take(p, 0, 2, 2)).isEqualTo(2);
        assertThat(take(p, 0, 2, 2, 1)).as("4 rows is preferred, 5 is not").isEqualTo(2);
        assertThat(take(p, 0, 2, 2, 4, 1)).as("8 beats 4").isEqualTo(3);
        assertThat(take(p, 0, 3, 3)).as("6 is not preferred: wait").isZero();
        assertThat(take(p, 10 * MS, 3, 3)).as("delay over: what is there").isEqualTo(2);
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new BatchPolicy(0, List.of(), 0)).hasMessageContaining("at least 1 row");
        assertThatThrownBy(() -> new BatchPolicy(8, List.of(16), 0)).hasMessageContaining("preferred batch size 16");
        assertThatThrownBy(() -> new BatchPolicy(8, List.of(), -1)).hasMessageContaining("negative");
    }
}
