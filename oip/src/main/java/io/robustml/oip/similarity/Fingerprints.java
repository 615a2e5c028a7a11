package io.robustml.oip.similarity;

import java.util.Arrays;

/**
 * Blacklight's probabilistic content fingerprint of one query (Li et al., USENIX Security 2022):
 * pixels quantized to steps of {@code quantization} on the 0–255 scale, a 64-bit hash of every window of
 * {@code windowSize} consecutive values of the flattened input, and the {@code topN} largest distinct
 * hashes kept. Two queries that share many windows (an iterative attack's queries do) share many of
 * these hashes, whoever sends them. Window hashes are rolling (polynomial, O(1) per step) and the
 * largest are selected as they come, so a 784-pixel image costs one pass and no sort of its windows.
 */
public final class Fingerprints {
    /** Hashes kept per query (Blacklight's top-N), so match counts run 0–50. */
    public static final int TOP_HASHES = 50;
    /** The sidecar's defaults for windowSize and quantization. */
    public static final int DEFAULT_WINDOW_SIZE = 25;
    public static final int DEFAULT_QUANTIZATION = 25;
    /** Newest query ids kept per hash bucket in the sidecar's store (FingerprintStore's bucketCap). */
    public static final int BUCKET_CAP = 200;
    private static final long BASE = 0x100000001B3L; // FNV prime: odd, so multiplication is invertible mod 2^64

    private Fingerprints() {
    }

    /** The {@code topN} largest distinct window hashes of {@code input}, largest first. */
    public static long[] of(float[] input, int quantization, int windowSize, int topN) {
        int n = input.length;
        if (n < windowSize) {
            return new long[0];
        }
        int[] level = levels(quantization);
        int[] q = new int[n];
        for (int i = 0; i < n; i++) {
            q[i] = level[(int) (Math.min(1f, Math.max(0f, input[i])) * 255f)];
        }
        long power = 1;
        for (int i = 0; i < windowSize - 1; i++) {
            power *= BASE;
        }
        Largest top = new Largest(Math.min(topN, n - windowSize + 1));
        long h = 0;
        for (int i = 0; i < windowSize; i++) {
            h = h * BASE + q[i];
        }
        top.offer(mix(h));
        for (int i = windowSize; i < n; i++) {
            h = (h - q[i - windowSize] * power) * BASE + q[i];
            top.offer(mix(h));
        }
        return top.descending();
    }

    /** Levels of one quantization, kept: a lookup instead of a division per value. */
    private record Levels(int quantization, int[] table) {
    }

    private static volatile Levels levels;

    /** The quantized level of each 0-255 value: {@code v / quantization + 1} (+1: a zero must still move the hash). */
    private static int[] levels(int quantization) {
        Levels cached = levels;
        if (cached == null || cached.quantization() != quantization) {
            int[] table = new int[256];
            for (int v = 0; v < 256; v++) {
                table[v] = v / quantization + 1;
            }
            cached = new Levels(quantization, table);
            levels = cached;
        }
        return cached.table();
    }

    /**
     * The k largest distinct values offered, in a min-heap: a value not above the smallest kept is
     * refused in one comparison, which is nearly every window once the heap is full (no sort of all windows).
     */
    private static final class Largest {
        private final long[] heap;
        private int size;

        Largest(int k) {
            heap = new long[k];
        }

        void offer(long v) {
            if (heap.length == 0 || size == heap.length && v <= heap[0]) {
                return;
            }
            for (int i = 0; i < size; i++) {
                if (heap[i] == v) {
                    return;
                }
            }
            if (size < heap.length) {
                int i = size++;
                heap[i] = v;
                while (i > 0 && heap[(i - 1) / 2] > heap[i]) {
                    swap(i, (i - 1) / 2);
                    i = (i - 1) / 2;
                }
                return;
            }
            heap[0] = v;
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int m = i;
                if (l < size && heap[l] < heap[m]) {
                    m = l;
                }
                if (r < size && heap[r] < heap[m]) {
                    m = r;
                }
                if (m == i) {
                    return;
                }
                swap(i, m);
                i = m;
            }
        }

        private void swap(int a, int b) {
            long t = heap[a];
            heap[a] = heap[b];
            heap[b] = t;
        }

        long[] descending() {
            long[] out = Arrays.copyOf(heap, size);
            Arrays.sort(out);
            for (int i = 0, j = out.length - 1; i < j; i++, j--) {
                long t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
            return out;
        }
    }

    /** A finaliser (splitmix64), so the kept "top" hashes are a uniform sample of the windows. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
