package io.robustml.tester.certify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The bound and the certificate against what can be computed exactly: Beta quantiles with a closed
 * form, the bound's coverage on binomial draws of a known proportion, and a linear classifier, whose
 * smoothed version is itself and whose exact certified radius is the distance to its hyperplane.
 */
class CertifyTest {

    @Test
    void theClopperPearsonLimitMatchesItsClosedForms() {
        for (int n : new int[] {1, 10, 100, 1000, 100000}) {
            for (double alpha : new double[] {0.001, 0.01, 0.05}) {
                // k = n: Beta(n, 1) has CDF x^n; k = 1: Beta(1, n) has CDF 1 - (1 - x)^n.
                assertThat(Certify.lowerConfidenceBound(n, n, alpha)).as("k=n=%d alpha=%s", n, alpha)
                        .isCloseTo(Math.pow(alpha, 1.0 / n), Offset.offset(1e-9));
                assertThat(Certify.lowerConfidenceBound(1, n, alpha)).as("k=1 n=%d alpha=%s", n, alpha)
                        .isCloseTo(1 - Math.pow(1 - alpha, 1.0 / n), Offset.offset(1e-9));
                assertThat(Certify.lowerConfidenceBound(0, n, alpha)).isZero();
            }
        }
        assertThat(Certify.lowerConfidenceBound(900, 1000, 0.001)).isBetween(0.86, 0.9);
        assertThatThrownBy(() -> Certify.lowerConfidenceBound(11, 10, 0.01)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLimitIsAboveTheTrueProportionAtMostAlphaOfTheTime() {
        SplittableRandom random = new SplittableRandom(11);
        double alpha = 0.05;
        for (double p : new double[] {0.3, 0.7, 0.95}) {
            int trials = 4000;
            int n = 200;
            int above = 0;
            for (int t = 0; t < trials; t++) {
                int k = 0;
                for (int i = 0; i < n; i++) {
                    k += random.nextDouble() < p ? 1 : 0;
                }
                above += Certify.lowerConfidenceBound(k, n, alpha) > p ? 1 : 0;
            }
            // Clopper-Pearson is conservative: at most alpha (plus 3 standard errors of 4,000 trials).
            assertThat((double) above / trials).as("p=%s", p).isLessThanOrEqualTo(alpha + 3 * Math.sqrt(alpha * (1 - alpha) / trials));
        }
    }

    /** f(x) = 1 when w.x > 0, else 0, for a unit vector w over 784 inputs. */
    private static Certify.Classifier halfSpace(float[] w) {
        return batch -> {
            int[] out = new int[batch.length];
            for (int i = 0; i < batch.length; i++) {
                double dot = 0;
                for (int k = 0; k < w.length; k++) {
                    dot += w[k] * batch[i][k];
                }
                out[i] = dot > 0 ? 1 : 0;
            }
            return out;
        };
    }

    @Test
    void aLinearClassifierIsCertifiedUpToItsDistanceFromTheBoundaryNeverBeyond() throws Exception {
        float[] w = new float[784];
        SplittableRandom random = new SplittableRandom(3);
        double norm = 0;
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) (random.nextDouble() - 0.5);
            norm += w[k] * w[k];
        }
        for (int k = 0; k < w.length; k++) {
            w[k] /= (float) Math.sqrt(norm);
        }
        Certify.Classifier f = halfSpace(w);
        Smoothing s = new Smoothing(0.25, 100, 10000, 0.001, List.of(0.25), 1);
        for (double distance : new double[] {0.1, 0.3, 0.5, -0.4}) {
            float[] x = new float[784];
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (distance * w[k]);
            }
            Certify.Certificate c = Certify.certify(f, x, 2, s, 1000, new SplittableRandom(Double.hashCode(distance)));
            assertThat(c.predicted()).as("distance %s", distance).isEqualTo(distance > 0 ? 1 : 0);
            assertThat(c.radius()).as("never beyond the true radius %s", Math.abs(distance))
                    .isLessThanOrEqualTo(Math.abs(distance) + 1e-3);
            // 10,000 draws at alpha 0.001 lose little: within 0.05 of the exact radius (sigma 0.25).
            assertThat(c.radius()).as("close to the true radius %s", Math.abs(distance)).isGreaterThan(Math.abs(distance) - 0.05);
        }
        // On the boundary the vote is a coin toss: the smoothed classifier abstains.
        Certify.Certificate onBoundary = Certify.certify(f, new float[784], 2, s, 1000, new SplittableRandom(5));
        assertThat(onBoundary.predicted()).isEqualTo(Certify.ABSTAIN);
        assertThat(onBoundary.radius()).isZero();
    }

    @Test
    void theLargestCertifiableRadiusIsWhatNDrawsAllowAndAllVotesAgreeingReachIt() throws Exception {
        Smoothing s = new Smoothing(0.25, 100, 1000, 0.001, List.of(0.5), 1);
        assertThat(s.largestCertifiableRadius()).isCloseTo(0.25 * Certify.normalQuantile(Math.pow(0.001, 1.0 / 1000)),
                Offset.offset(1e-12));
        assertThat(s.largestCertifiableRadius()).isBetween(0.6, 0.63);
        Certify.Certificate always = Certify.certify(batch -> new int[batch.length], new float[4], 3, s, 64, new SplittableRandom(1));
        assertThat(always.predicted()).isZero();
        assertThat(always.votes()).isEqualTo(1000);
        assertThat(always.radius()).isCloseTo(s.largestCertifiableRadius(), Offset.offset(1e-12));
    }

    @Test
    void theNormalQuantileIsTheInverseOfTheCdf() {
        assertThat(Certify.normalQuantile(0.5)).isCloseTo(0, Offset.offset(1e-12));
        assertThat(Certify.normalQuantile(0.975)).isCloseTo(1.959963984540054, Offset.offset(1e-9));
    }
}
