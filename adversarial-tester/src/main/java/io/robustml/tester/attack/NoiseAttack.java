package io.robustml.tester.attack;

import java.util.SplittableRandom;

/**
 * The random-perturbation baseline: each example moved to a random point on the boundary of the
 * ε-ball (a random corner ±ε per value under L∞, a random direction of length ε under L2), then
 * clipped to the input range. Far below a real attack at the same ε; when it is not, the "robustness"
 * is fragility to any noise, and when an attack is not far above it, the attack is broken.
 */
public record NoiseAttack(Constraint constraint, long seed) {

    public float[][] perturb(float[][] x) {
        SplittableRandom random = new SplittableRandom(seed);
        float eps = constraint.epsilon();
        float[][] adv = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            float[] delta = new float[x[i].length];
            if (constraint.norm() == Norm.LINF) {
                for (int k = 0; k < delta.length; k++) {
                    delta[k] = random.nextBoolean() ? eps : -eps;
                }
            } else {
                double length = 0;
                double[] g = new double[delta.length];
                for (int k = 0; k < g.length; k++) {
                    g[k] = gaussian(random);
                    length += g[k] * g[k];
                }
                double scale = eps / Math.max(Math.sqrt(length), 1e-12);
                for (int k = 0; k < g.length; k++) {
                    delta[k] = (float) (g[k] * scale);
                }
            }
            adv[i] = new float[delta.length];
            for (int k = 0; k < delta.length; k++) {
                adv[i][k] = Math.min(constraint.max(), Math.max(constraint.min(), x[i][k] + delta[k]));
            }
            adv[i] = constraint.bind(x[i], adv[i]);
        }
        constraint.check(x, adv);
        return adv;
    }

    /** A standard normal draw (Box–Muller; SplittableRandom has no nextGaussian on Java 17). */
    public static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
