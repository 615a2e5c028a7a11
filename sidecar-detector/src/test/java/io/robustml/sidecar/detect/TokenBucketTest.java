package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstThenRefusesUntilTokensRefill() {
        TokenBucket bucket = new TokenBucket(60, 3, 0); // one token per second
        assertThat(bucket.tryAcquire(0)).isTrue();
        assertThat(bucket.tryAcquire(0)).isTrue();
        assertThat(bucket.tryAcquire(0)).isTrue();
        assertThat(bucket.tryAcquire(0)).isFalse();
        assertThat(bucket.secondsUntil(1)).isEqualTo(1);
        assertThat(bucket.tryAcquire(SECOND / 2)).isFalse();
        assertThat(bucket.tryAcquire(SECOND)).isTrue();
    }

    @Test
    void neverHoldsMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(600, 2, 0);
        long later = 3600 * SECOND;
        assertThat(bucket.tryAcquire(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isTrue();
        assertThat(bucket.tryAcquire(later)).isFalse();
    }

    /** Lowering the limits mid-attack: the spent burst stays spent, and a full bucket shrinks to the new burst. */
    @Test
    void newLimitsKeepWhatTheClientHasSpent() {
        TokenBucket spent = new TokenBucket(600, 100, 0);
        for (int i = 0; i < 100; i++) {
            assertThat(spent.tryAcquire(0)).isTrue();
        }
        TokenBucket throttled = spent.withLimits(60, 10, 0);
        assertThat(throttled.tryAcquire(0)).as("no fresh burst").isFalse();
        assertThat(throttled.tryAcquire(SECOND)).as("one token a second now").isTrue();
        assertThat(throttled.tryAcquire(SECOND)).isFalse();

        TokenBucket idle = new TokenBucket(600, 100, 0).withLimits(60, 10, 0);
        int allowed = 0;
        while (idle.tryAcquire(0)) {
            allowed++;
        }
        assertThat(allowed).as("a full bucket keeps only the new burst").isEqualTo(10);
    }

    @Test
    void rejectsNonPositiveSettings() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
