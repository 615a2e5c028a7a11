package io.robustml.tester.certify;

import io.robustml.crds.model.ThreatModelSpec.CertificationSpec;
import java.math.BigDecimal;
import java.util.List;

/**
 * Randomized smoothing's parameters for one run (spec.certification with its defaults, which the CRD
 * declares once in {@link CertificationSpec}).
 *
 * @param sigma   the Gaussian noise's standard deviation, in input units
 * @param n0      draws that choose each example's class
 * @param n       draws that bound that class's probability
 * @param alpha   failure probability of each certificate
 * @param radii   L2 radii to report certified accuracy at, ascending
 * @param samples examples to certify (the first of the analysis's)
 */
public record Smoothing(double sigma, int n0, int n, double alpha, List<Double> radii, int samples) {
    public Smoothing {
        if (!(sigma > 0) || n0 < 1 || n < 1 || !(alpha > 0 && alpha < 0.5) || radii.isEmpty() || samples < 1) {
            throw new IllegalArgumentException("certification needs sigma > 0, n0 and n >= 1, alpha in (0, 0.5), a radius "
                    + "and samples >= 1");
        }
        radii = radii.stream().sorted().toList();
    }

    /** The run's certification, or null when it asks for none. */
    public static Smoothing of(CertificationSpec spec) {
        if (spec == null) {
            return null;
        }
        if (spec.sigma == null || spec.radii == null) {
            throw new IllegalArgumentException("spec.certification needs sigma and radii");
        }
        return new Smoothing(new BigDecimal(spec.sigma).doubleValue(),
                spec.n0 == null ? Integer.parseInt(CertificationSpec.DEFAULT_N0) : spec.n0,
                spec.n == null ? Integer.parseInt(CertificationSpec.DEFAULT_N) : spec.n,
                new BigDecimal(spec.alpha == null ? CertificationSpec.DEFAULT_ALPHA : spec.alpha).doubleValue(),
                spec.radii.stream().map(r -> new BigDecimal(r).doubleValue()).toList(),
                spec.samples == null ? Integer.parseInt(CertificationSpec.DEFAULT_SAMPLES) : spec.samples);
    }

    /** The largest radius these draws can certify (all n agree): sigma times the normal quantile of alpha^(1/n). */
    public double largestCertifiableRadius() {
        return sigma * Certify.normalQuantile(Math.pow(alpha, 1.0 / n));
    }
}
