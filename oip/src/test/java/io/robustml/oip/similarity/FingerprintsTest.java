package io.robustml.oip.similarity;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fingerprint and the store's match against plain reference versions: the same answers, however computed. */
class FingerprintsTest {

    /** Blacklight's fingerprint as first written here: every window hashed, all sorted, the top distinct kept. */
    private static long[] reference(float[] input, int quantization, int windowSize, int topN) {
        int n = input.length;
        if (n < windowSize) {
            return new long[0];
        }
        long base = 0x100000001B3L;
        long[] q = new long[n];
        for (int i = 0; i < n; i++) {
            q[i] = (int) (Math.min(1f, Math.max(0f, input[i])) * 255f) / quantization + 1;
        }
        long[] hashes = new long[n - windowSize + 1];
        for (int s = 0; s + windowSize <= n; s++) {
            long h = 0;
            for (int i = s; i < s + windowSize; i++) {
                h = h * base + q[i];
            }
            long z = h;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            hashes[s] = z ^ (z >>> 31);
        }
        long[] distinct = Arrays.stream(hashes).distinct().sorted().toArray();
        long[] top = new long[Math.min(topN, distinct.length)];
        for (int i = 0; i < top.length; i++) {
            top[i] = distinct[distinct.length - 1 - i];
        }
        return top;
    }

    @Test
    void theFingerprintIsTheReferencesOnImagesAndOnRandomInputs() throws Exception {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        LabelledImages test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 500);
        for (float[] image : test.images()) {
            assertThat(Fingerprints.of(image, 25, 25, 50)).isEqualTo(reference(image, 25, 25, 50));
        }
        Random random = new Random(7);
        for (int t = 0; t < 500; t++) {
            float[] x = new float[1 + random.nextInt(300)];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextInt(4) == 0 ? 0f : random.nextFloat() * 1.2f - 0.1f; // repeats, and values to clip
            }
            int window = 1 + random.nextInt(30);
            int quantization = 1 + random.nextInt(64);
            int top = random.nextInt(60);
            assertThat(Fingerprints.of(x, quantization, window, top)).as("case %d", t).isEqualTo(reference(x, quantization, window, top));
        }
    }

    @Test
    void theStoresMatchCountsAsPlainCollectionsWould() {
        for (int bucketCap : new int[] {1000, 5, 1}) { // buckets never full, full most of the time, one id each
            Random random = new Random(11);
            FingerprintStore store = new FingerprintStore(100, Long.MAX_VALUE, bucketCap);
            java.util.ArrayDeque<Long> live = new java.util.ArrayDeque<>(); // ids of the newest 100 queries
            Map<Long, java.util.ArrayDeque<Long>> buckets = new HashMap<>(); // hash -> newest bucketCap ids
            for (long q = 0; q < 1000; q++) {
                long[] hashes = random.longs(20, 0, 200).distinct().toArray(); // a small alphabet: many shared hashes
                Map<Long, Integer> counts = new HashMap<>();
                int expected = 0;
                for (long h : hashes) {
                    for (long id : buckets.getOrDefault(h, new java.util.ArrayDeque<>())) {
                        if (live.contains(id)) {
                            expected = Math.max(expected, counts.merge(id, 1, Integer::sum));
                        }
                    }
                }
                assertThat(store.matchAndAdd(hashes, q)).as("bucketCap %d, query %d", bucketCap, q).isEqualTo(expected);
                for (long h : hashes) {
                    java.util.ArrayDeque<Long> ids = buckets.computeIfAbsent(h, k -> new java.util.ArrayDeque<>());
                    ids.addLast(q);
                    if (ids.size() > bucketCap) {
                        ids.removeFirst();
                    }
                }
                live.addLast(q);
                if (live.size() > 100) { // the store's capacity: the oldest query goes
                    live.removeFirst();
                }
            }
        }
    }
}
