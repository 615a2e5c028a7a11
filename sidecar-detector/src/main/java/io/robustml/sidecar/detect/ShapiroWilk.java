package io.robustml.sidecar.detect;

import java.util.Arrays;

/**
 * The Shapiro–Wilk W statistic (normality: 1 for a perfectly normal sample, lower otherwise), with the
 * coefficients of Royston's approximation (algorithm AS R94, 1995), valid for 3 ≤ n ≤ 5000. PRADA
 * compares W itself with its threshold δ, so no p-value is computed. Coefficients depend only on n
 * and are cached for the last n used (PRADA's windows keep n constant once full).
 */
public final class ShapiroWilk {
    public static final int MAX_N = 5000;
    private static final double[] C1 = {0.0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056};
    private static final double[] C2 = {0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};

    private int cachedN = -1;
    private double[] cachedA;

    /** W of {@code sample} (not modified); NaN when n is outside 3..5000 or all values are equal. */
    public synchronized double w(double[] sample) { // the coefficients are cached per n
        int n = sample.length;
        if (n < 3 || n > MAX_N) {
            return Double.NaN;
        }
        double[] x = sample.clone();
        Arrays.sort(x);
        double range = x[n - 1] - x[0];
        if (!(range > 1e-12 * Math.max(1.0, Math.abs(x[0])))) {
            return Double.NaN;
        }
        double[] a = coefficients(n);
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : x) {
            ss += (v - mean) * (v - mean);
        }
        double b = 0;
        for (int i = 0; i < n / 2; i++) {
            b += a[i] * (x[n - 1 - i] - x[i]);
        }
        return Math.min(1.0, b * b / ss);
    }

    /** The n/2 positive coefficients a_1 ≥ a_2 ≥ … for the extreme pairs, from Royston's approximation. */
    double[] coefficients(int n) {
        if (n == cachedN) {
            return cachedA;
        }
        int half = n / 2;
        double[] a = new double[half];
        if (n == 3) {
            a[0] = Math.sqrt(0.5);
        } else {
            double[] m = new double[half];
            double summ2 = 0;
            for (int i = 0; i < half; i++) {
                m[i] = inverseNormal((i + 1 - 0.375) / (n + 0.25)); // negative: the lower half
                summ2 += m[i] * m[i];
            }
            summ2 *= 2;
            double ssumm2 = Math.sqrt(summ2);
            double rsn = 1.0 / Math.sqrt(n);
            double a1 = poly(C1, rsn) - m[0] / ssumm2;
            int first;
            double fac;
            if (n > 5) {
                double a2 = -m[1] / ssumm2 + poly(C2, rsn);
                fac = Math.sqrt((summ2 - 2 * m[0] * m[0] - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
                a[1] = a2;
                first = 2;
            } else {
                fac = Math.sqrt((summ2 - 2 * m[0] * m[0]) / (1 - 2 * a1 * a1));
                first = 1;
            }
            a[0] = a1;
            for (int i = first; i < half; i++) {
                a[i] = -m[i] / fac;
            }
        }
        cachedN = n;
        cachedA = a;
        return a;
    }

    private static double poly(double[] c, double x) {
        double result = 0;
        for (int k = c.length - 1; k >= 0; k--) {
            result = result * x + c[k];
        }
        return result;
    }

    /**
     * The standard normal quantile, Acklam's rational approximation (relative error below 1.2e-9).
     */
    static double inverseNormal(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        double low = 0.02425;
        double x;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else if (p <= 1 - low) {
            double q = p - 0.5;
            double r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        } else {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        return x;
    }

}
