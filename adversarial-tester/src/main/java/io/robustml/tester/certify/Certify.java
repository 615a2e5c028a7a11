package io.robustml.tester.certify;

import java.io.IOException;
import java.util.SplittableRandom;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * CERTIFY of Cohen, Rosenfeld and Kolter, "Certified Adversarial Robustness via Randomized Smoothing"
 * (ICML 2019), for one example: the base classifier's votes under Gaussian noise N(0, sigma^2 I) choose
 * the class (n0 draws), fresh draws (n) bound its probability pA from below by the one-sided
 * Clopper-Pearson limit at level 1 - alpha, and the smoothed classifier is certified within
 * L2 radius sigma * PhiInverse(pA) — or abstains when that bound is not above 1/2. With probability at
 * least 1 - alpha over the draws, a non-abstaining answer is the smoothed classifier's, and it holds for
 * every input within the radius. Noise is not clipped to the input range, as in the paper.
 */
public final class Certify {
    /** Abstained: no class could be certified. */
    public static final int ABSTAIN = -1;
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    /** The base classifier: a predicted class per input of a batch. */
    @FunctionalInterface
    public interface Classifier {
        int[] predict(float[][] batch) throws IOException;
    }

    /** One example's certificate: the class (or ABSTAIN), the radius (0 when abstaining), and the bound it rests on. */
    public record Certificate(int predicted, double radius, int votes, double lowerBound) {
        public boolean correctWithin(int label, double r) {
            return predicted != ABSTAIN && predicted == label && radius >= r;
        }
    }

    private Certify() {
    }

    public static Certificate certify(Classifier f, float[] x, int classes, Smoothing s, int batch, SplittableRandom random)
            throws IOException {
        int[] selection = votes(f, x, classes, s.n0(), s.sigma(), batch, random);
        int top = argmax(selection);
        int[] estimation = votes(f, x, classes, s.n(), s.sigma(), batch, random);
        double pA = lowerConfidenceBound(estimation[top], s.n(), s.alpha());
        if (pA < 0.5) {
            return new Certificate(ABSTAIN, 0, estimation[top], pA);
        }
        return new Certificate(top, s.sigma() * normalQuantile(pA), estimation[top], pA);
    }

    /**
     * The one-sided (1 - alpha) Clopper-Pearson lower confidence limit of a binomial proportion with k
     * successes in n trials: the alpha quantile of Beta(k, n - k + 1); 0 when k is 0. (The paper's code:
     * statsmodels' proportion_confint(k, n, alpha=2*alpha, method="beta")[0].)
     */
    public static double lowerConfidenceBound(int k, int n, double alpha) {
        if (k < 0 || k > n || n < 1) {
            throw new IllegalArgumentException("need 0 <= k <= n and n >= 1, got k=" + k + " n=" + n);
        }
        return k == 0 ? 0 : BetaDistribution.of(k, n - k + 1).inverseCumulativeProbability(alpha);
    }

    /** The standard normal quantile. */
    public static double normalQuantile(double p) {
        return STANDARD_NORMAL.inverseCumulativeProbability(p);
    }

    /** Class counts of the base classifier's predictions on {@code count} noisy copies of x, sent in batches. */
    public static int[] votes(Classifier f, float[] x, int classes, int count, double sigma, int batch, SplittableRandom random)
            throws IOException {
        int[] counts = new int[classes];
        for (int done = 0; done < count; ) {
            int size = Math.min(batch, count - done);
            float[][] noisy = new float[size][x.length];
            for (int i = 0; i < size; i++) {
                for (int k = 0; k < x.length; k++) {
                    noisy[i][k] = (float) (x[k] + sigma * io.robustml.tester.attack.NoiseAttack.gaussian(random));
                }
            }
            for (int predicted : f.predict(noisy)) {
                if (predicted < 0 || predicted >= classes) {
                    throw new IOException("the model predicted class " + predicted + " of " + classes);
                }
                counts[predicted]++;
            }
            done += size;
        }
        return counts;
    }

    private static int argmax(int[] counts) {
        int best = 0;
        for (int k = 1; k < counts.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        return best;
    }
}
