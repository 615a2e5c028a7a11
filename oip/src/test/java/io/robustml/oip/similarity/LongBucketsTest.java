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

    @Test
    void aSingleIdNeedsNoArrayAndSurvivesGrowthAndBackwardShifts() {
        LongBuckets map = new LongBuckets(4);
        for (long key = 0; key < 5000; key++) { // many growths; colliding keys in the high bits
            int slot = map.locate(key << 32);
            map.setSingle(slot, key << 32, key * 7);
        }
        for (long key = 0; key < 5000; key += 2) {
            map.remove(key << 32);
        }
        assertThat(map.size()).isEqualTo(2500);
        for (long key = 1; key < 5000; key += 2) {
            int slot = map.find(key << 32);
            assertThat(map.isSingle(slot)).isTrue();
            assertThat(map.single(slot)).isEqualTo(key * 7);
            assertThat(map.get(key << 32)).containsExactly(key * 7);
        }
        assertThat(map.find(2L << 32)).isEqualTo(-1);
    }
}
