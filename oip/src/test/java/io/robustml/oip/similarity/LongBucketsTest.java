package io.robustml.oip.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive map against java.util.HashMap over random puts and removes, colliding keys included. */
class LongBucketsTest {
    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        Random random = new Random(7);
        LongBuckets map = new LongBuckets(4);
        Map<Long, long[]> expected = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            // A small key space forces long probe runs, wrap-around and backward shifts.
            long key = random.nextInt(3000) * (random.nextBoolean() ? 1L : 0x100000000L);
            if (random.nextInt(3) == 0) {
                map.remove(key);
                expected.remove(key);
            } else {
                long[] value = {step};
                map.put(key, value);
                expected.put(key, value);
            }
            if (step % 997 == 0) {
                assertThat(map.size()).isEqualTo(expected.size());
                for (long k = 0; k < 3000; k++) {
                    assertThat(map.get(k)).isSameAs(expected.get(k));
                    assertThat(map.get(k * 0x100000000L)).isSameAs(expected.get(k * 0x100000000L));
                }
            }
        }
    }
}
