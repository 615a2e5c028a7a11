package io.robustml.oip.squeeze;

import java.util.Arrays;

/**
 * The feature-squeezing transforms of Xu, Evans and Qi (NDSS 2018) on flat images in [0, 1]:
 * bit-depth reduction and median smoothing, and the detection score from the model's answers.
 */
public final class Squeezers {
    private Squeezers() {
    }

    /**
     * Each value of an input whose values range over [min, max] rounded to {@code bits} bits of that range: the
     * value scaled to [0, 1], squeezed as below, and mapped back (a model that takes 0–255 gets 0–255).
     */
    public static float[] bitDepth(float[] x, int bits, double min, double max) {
        if (min == 0 && max == 1) {
            return bitDepth(x, bits);
        }
        float[] unit = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            unit[i] = (float) ((x[i] - min) / (max - min));
        }
        float[] squeezed = bitDepth(unit, bits);
        for (int i = 0; i < x.length; i++) {
            squeezed[i] = (float) (min + squeezed[i] * (max - min));
        }
        return squeezed;
    }

    /** Each value rounded to {@code bits} bits: round(x·(2^b − 1)) / (2^b − 1), clipped to [0, 1]. */
    public static float[] bitDepth(float[] x, int bits) {
        float levels = (1 << bits) - 1;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float v = Math.min(1f, Math.max(0f, x[i]));
            out[i] = Math.round(v * levels) / levels;
        }
        return out;
    }

    /**
     * Median over a {@code window}×{@code window} neighbourhood of each pixel, per channel, for
     * {@code channels} planes of {@code height}×{@code width}. Even windows reach one pixel further
     * down and right (as scipy's median_filter, which the paper used); edges are reflected.
     */
    public static float[] median(float[] x, int channels, int height, int width, int window) {
        float[] out = new float[x.length];
        float[] neighbourhood = new float[window * window];
        int before = (window - 1) / 2;
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int h = 0; h < height; h++) {
                for (int w = 0; w < width; w++) {
                    int n = 0;
                    for (int dh = -before; dh < window - before; dh++) {
                        for (int dw = -before; dw < window - before; dw++) {
                            neighbourhood[n++] = x[plane + reflect(h + dh, height) * width + reflect(w + dw, width)];
                        }
                    }
                    Arrays.sort(neighbourhood, 0, n);
                    out[plane + h * width + w] = n % 2 == 1 ? neighbourhood[n / 2]
                            : (neighbourhood[n / 2 - 1] + neighbourhood[n / 2]) / 2f;
                }
            }
        }
        return out;
    }

    private static int reflect(int i, int size) {
        if (i < 0) {
            return -i - 1;
        }
        if (i >= size) {
            return 2 * size - i - 1;
        }
        return i;
    }

    /** Softmax of a row of logits (or renormalised probabilities: softmax is applied either way). */
    public static double[] softmax(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        double[] p = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            p[i] = Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The paper's score: the largest L1 distance between the original's softmax and a squeezed one's. */
    public static double score(float[] original, float[]... squeezed) {
        double[] p = softmax(original);
        double worst = 0;
        for (float[] s : squeezed) {
            double[] q = softmax(s);
            double l1 = 0;
            for (int i = 0; i < p.length; i++) {
                l1 += Math.abs(p[i] - q[i]);
            }
            worst = Math.max(worst, l1);
        }
        return worst;
    }
}
