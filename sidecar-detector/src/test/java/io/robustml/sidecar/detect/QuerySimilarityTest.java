package io.robustml.sidecar.detect;

import io.robustml.oip.similarity.Fingerprints;
import io.robustml.oip.similarity.FingerprintStore;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Blacklight-style detector on Fashion-MNIST: clean traffic passes, Square-like query chains do not. */
class QuerySimilarityTest {
    private static final int Q = io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_QUANTIZATION;
    private static final int W = io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_WINDOW_SIZE;
    private static final int TOP = DetectorSettings.TOP_HASHES;
    private static final int THRESHOLD = io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_MATCH_THRESHOLD;
    private static LabelledImages test;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 10000);
    }

    private static long[] fp(float[] x) {
        return Fingerprints.of(x, Q, W, TOP);
    }

    @Test
    void aRepeatedQueryMatchesItselfCompletely() {
        FingerprintStore store = new FingerprintStore(1000, Long.MAX_VALUE, 200);
        long[] h = fp(test.images()[0]);
        assertThat(h).hasSize(TOP);
        assertThat(store.matchAndAdd(h, 0)).isZero();
        assertThat(store.matchAndAdd(fp(test.images()[0].clone()), 1)).isEqualTo(TOP);
    }

    @Test
    void replayingTheTestSetAsCleanTrafficFlagsAtMostOnePercent() {
        FingerprintStore store = new FingerprintStore(100_000, Long.MAX_VALUE, 200);
        int flagged = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < test.count(); i++) {
            flagged += store.matchAndAdd(fp(test.images()[i]), i) >= THRESHOLD ? 1 : 0;
        }
        double micros = (System.nanoTime() - t0) / 1e3 / test.count();
        System.out.printf("[query-similarity] clean Fashion-MNIST test set (10,000 images, q %d, window %d, top %d, "
                + "threshold %d): %d flagged (%.2f %%), %.1f us per query (fingerprint + lookup + insert)%n", Q, W, TOP,
                THRESHOLD, flagged, 100.0 * flagged / test.count(), micros);
        assertThat(flagged).isLessThanOrEqualTo(test.count() / 100);
    }

    /**
     * Queries as Square Attack sends them (ε 0.1): random vertical stripes, then one random square window
     * re-drawn per query; every query could come from a different API key — the store does not know keys.
     */
    @Test
    void aSquareAttackIsFlaggedWithinAFewQueries() {
        SplittableRandom random = new SplittableRandom(1);
        int[] firstFlag = new int[50];
        for (int a = 0; a < firstFlag.length; a++) {
            FingerprintStore store = new FingerprintStore(100_000, Long.MAX_VALUE, 200);
            for (int i = 0; i < 1000; i++) { // earlier clean traffic of other clients
                store.matchAndAdd(fp(test.images()[1000 + i]), i);
            }
            float[] x = test.images()[a];
            float[] current = new float[784];
            for (int w = 0; w < 28; w++) {
                float d = random.nextBoolean() ? 0.1f : -0.1f;
                for (int h = 0; h < 28; h++) {
                    current[h * 28 + w] = clip(x[h * 28 + w] + d);
                }
            }
            firstFlag[a] = -1;
            for (int q = 1; q <= 100; q++) {
                if (store.matchAndAdd(fp(current), 10_000 + q) >= THRESHOLD) {
                    firstFlag[a] = q;
                    break;
                }
                int side = 3 + random.nextInt(6);
                int top = random.nextInt(28 - side + 1);
                int left = random.nextInt(28 - side + 1);
                float d = random.nextBoolean() ? 0.1f : -0.1f;
                current = current.clone();
                for (int h = top; h < top + side; h++) {
                    for (int w = left; w < left + side; w++) {
                        current[h * 28 + w] = clip(x[h * 28 + w] + d);
                    }
                }
            }
        }
        int[] sorted = firstFlag.clone();
        Arrays.sort(sorted);
        System.out.printf("[query-similarity] Square-like chains (eps 0.1) on 50 images: first flag at query median %d, max %d%n",
                sorted[sorted.length / 2], sorted[sorted.length - 1]);
        assertThat(firstFlag).doesNotContain(-1);
        assertThat(sorted[sorted.length / 2]).isLessThanOrEqualTo(5);
        assertThat(sorted[sorted.length - 1]).isLessThanOrEqualTo(15);
    }

    @Test
    void theStoreIsBoundedInSizeAndAge() {
        FingerprintStore store = new FingerprintStore(100, 1_000, 200);
        for (int i = 0; i < 300; i++) {
            store.matchAndAdd(fp(test.images()[i]), i);
        }
        assertThat(store.size()).isEqualTo(100);
        assertThat(store.evictions()).isEqualTo(200);
        // An old query is forgotten: its exact replay no longer matches once it aged out.
        assertThat(store.matchAndAdd(fp(test.images()[299]), 299 + 10_000)).isZero();
    }

    private static float clip(float v) {
        return Math.min(1f, Math.max(0f, v));
    }
}
