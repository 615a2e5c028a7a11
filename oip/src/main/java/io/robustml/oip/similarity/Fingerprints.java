package io.robustml.oip.similarity;

import java.util.Arrays;

/**
 * Blacklight's probabilistic content fingerprint of one query (Li et al., USENIX Security 2022):
 * pixels quantized to steps of {@code quantization} on the 0–255 scale, a 64-bit hash of every window of
 * {@code windowSize} consecutive values of the flattened input, and the {@code topN} largest distinct
 * hashes kept. Two queries that share many windows (an iterative attack's queries do) share many of
 * these hashes, whoever sends them. Window hashes are rolling (polynomial, O(1) per step), so a
 * 784-pixel image costs one pass.
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

    public static long[] of(float[] input, int quantization, int windowSize, int topN) {
        int n = input.length;
        if (n < windowSize) {
            return new long[0];
        }
        int[] q = new int[n];
        for (int i = 0; i < n; i++) {
            float v = Math.min(1f, Math.max(0f, input[i]));
            q[i] = (int) (v * 255f) / quantization + 1; // +1: a zero must still move the hash
        }
        long power = 1;
        for (int i = 0; i < windowSize - 1; i++) {
            power *= BASE;
        }
        long[] hashes = new long[n - windowSize + 1];
        long h = 0;
        for (int i = 0; i < windowSize; i++) {
            h = h * BASE + q[i];
        }
        hashes[0] = mix(h);
        for (int i = windowSize; i < n; i++) {
            h = (h - q[i - windowSize] * power) * BASE + q[i];
            hashes[i - windowSize + 1] = mix(h);
        }
        Arrays.sort(hashes);
        long[] top = new long[Math.min(topN, hashes.length)];
        int k = 0;
        for (int i = hashes.length - 1; i >= 0 && k < top.length; i--) {
            if (k == 0 || hashes[i] != top[k - 1]) {
                top[k++] = hashes[i];
            }
        }
        return k == top.length ? top : Arrays.copyOf(top, k);
    }

    /** A finaliser (splitmix64), so the kept "top" hashes are a uniform sample of the windows. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
