package io.robustml.tester.attack;

import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * HopSkipJump (Chen, Jordan and Wainwright, IEEE S&amp;P 2020): a decision-based black-box attack that
 * needs only the target's top-1 label, so it runs against endpoints that hide their scores. From a
 * misclassified starting point it walks along the decision boundary towards the original: binary
 * search to the boundary, a Monte-Carlo estimate of the boundary's normal from the labels of
 * {@code 100·√t} random probes, a geometric step along it, and again. Follows the authors' reference
 * implementation (θ, δ, the step schedule and the L∞ variant's sign update and box binary search).
 *
 * <p>The attack minimises the distance; the threat model bounds it. An example counts as a success only
 * if the final example, projected into the ε-ball, is still adversarial: that point is sent once more
 * and the target's answer decides (the query is part of the budget). Each example stops as soon as its
 * boundary point is within ε.
 *
 * @param queryBudget queries per example, every probe included
 */
public record HopSkipJump(Constraint constraint, int queryBudget, long seed) {
    private static final int INIT_EVALS = 100;
    private static final int MAX_EVALS = 10_000;
    private static final int INIT_TRIES = 100;

    public HopSkipJump {
        if (queryBudget < 2) {
            throw new IllegalArgumentException("hopskipjump needs a queryBudget of at least 2");
        }
    }

    /**
     * @param starts per example, an input the target already answers with the goal (targeted: an image of
     *               the target class), or null to search for one among uniform noise
     */
    public SquareAttack.Result run(Target target, float[][] x, int[] goals, boolean targeted, float[][] starts)
            throws IOException {
        int n = x.length;
        float[][] adversarial = new float[n][];
        int[] predictions = new int[n];
        int[] queries = new int[n];
        boolean[] reached = new boolean[n];
        boolean[] flaggedAny = new boolean[n];
        int[] firstFlag = new int[n];
        boolean visible = true;
        for (int i = 0; i < n; i++) {
            Example e = new Example(target, goals[i], targeted, new SplittableRandom(seed + 7919L * i));
            float[] boundary = e.attack(x[i], starts == null ? null : starts[i]);
            float[] projected = boundary == null ? x[i].clone() : project(x[i], boundary, constraint.epsilon());
            Target.Answer last = e.query(new float[][] {projected});
            adversarial[i] = projected;
            predictions[i] = last.predicted(0);
            reached[i] = targeted ? predictions[i] == goals[i] : predictions[i] != goals[i];
            queries[i] = e.used;
            flaggedAny[i] = e.firstFlag > 0;
            firstFlag[i] = e.firstFlag;
            visible &= e.visible;
        }
        constraint.check(x, adversarial);
        return new SquareAttack.Result(adversarial, predictions, queries, reached, flaggedAny, firstFlag, visible);
    }

    /** The state of the attack on one example: its queries and the labels' verdicts. */
    private final class Example {
        final Target target;
        final int goal;
        final boolean targeted;
        final SplittableRandom random;
        int used;
        int firstFlag;
        boolean visible = true;
        float[] origin;

        Example(Target target, int goal, boolean targeted, SplittableRandom random) {
            this.target = target;
            this.goal = goal;
            this.targeted = targeted;
            this.random = random;
        }

        /** Budget left for the search, keeping one query for the final check. */
        int left() {
            return queryBudget - 1 - used;
        }

        Target.Answer query(float[][] inputs) throws IOException {
            if (origin != null && constraint.features() != null) {
                // What an attacker can send: a tabular input's rules hold for every probe.
                float[][] valid = new float[inputs.length][];
                for (int j = 0; j < inputs.length; j++) {
                    valid[j] = constraint.valid(origin, inputs[j]);
                }
                inputs = valid;
            }
            Target.Answer a = target.classify(inputs);
            for (int j = 0; j < inputs.length; j++) {
                used++;
                if (a.flagged() == null) {
                    visible = false;
                } else if (a.flagged()[j] && firstFlag == 0) {
                    firstFlag = used;
                }
            }
            return a;
        }

        boolean[] adversarial(float[][] inputs) throws IOException {
            Target.Answer a = query(inputs);
            boolean[] result = new boolean[inputs.length];
            for (int j = 0; j < inputs.length; j++) {
                int p = a.predicted(j);
                result[j] = targeted ? p == goal : p != goal;
            }
            return result;
        }

        boolean adversarial(float[] input) throws IOException {
            return adversarial(new float[][] {input})[0];
        }

        /** The closest boundary point found within the budget, or null when no starting point was found. */
        float[] attack(float[] x, float[] start) throws IOException {
            origin = x;
            float eps = constraint.epsilon();
            int d = x.length;
            boolean linf = constraint.norm() == Norm.LINF;
            double theta = linf ? 1.0 / ((double) d * d) : 1.0 / (Math.sqrt(d) * d);
            float[] perturbed = initialise(x, start);
            if (perturbed == null) {
                return null;
            }
            perturbed = binarySearch(x, perturbed, theta);
            double dist = constraint.norm().distance(x, perturbed);
            float[] best = perturbed;
            double bestDist = dist;
            for (int t = 1; dist > eps && left() > 0; t++) {
                double delta = t == 1 ? 0.1 * (constraint.max() - constraint.min())
                        : (linf ? d * theta * dist : Math.sqrt(d) * theta * dist);
                int evals = (int) Math.min(MAX_EVALS, INIT_EVALS * Math.sqrt(t));
                if (left() < evals + 2) {
                    break; // not enough left for a useful estimate and a step
                }
                float[] gradient = gradient(perturbed, evals, delta);
                float[] update = linf ? sign(gradient) : gradient;
                double step = dist / Math.sqrt(t);
                float[] next = null;
                while (left() > 0) {
                    float[] candidate = clip(add(perturbed, update, step));
                    if (adversarial(candidate)) {
                        next = candidate;
                        break;
                    }
                    step /= 2;
                }
                if (next == null) {
                    break;
                }
                perturbed = binarySearch(x, next, theta);
                dist = constraint.norm().distance(x, perturbed);
                if (dist < bestDist) {
                    best = perturbed;
                    bestDist = dist;
                }
            }
            return best;
        }

        /** A starting point the target answers with the goal, moved as close to {@code x} as a blend allows. */
        float[] initialise(float[] x, float[] start) throws IOException {
            float[] found = null;
            if (start != null && left() > 0 && adversarial(start)) {
                found = start;
            }
            for (int tries = 0; found == null && tries < INIT_TRIES && left() > 0; tries++) {
                float[] noise = new float[x.length];
                for (int k = 0; k < noise.length; k++) {
                    noise[k] = constraint.min() + (float) random.nextDouble() * (constraint.max() - constraint.min());
                }
                if (adversarial(noise)) {
                    found = noise;
                }
            }
            if (found == null) {
                return null;
            }
            double low = 0;
            double high = 1;
            while (high - low > 0.001 && left() > 0) {
                double mid = (high + low) / 2;
                if (adversarial(blend(x, found, mid))) {
                    high = mid;
                } else {
                    low = mid;
                }
            }
            return blend(x, found, high);
        }

        /**
         * Binary search between {@code x} and an adversarial point for the boundary, on the segment (L2)
         * or on the shrinking box around {@code x} (L∞). Returns a point on the adversarial side.
         */
        float[] binarySearch(float[] x, float[] adversarial, double theta) throws IOException {
            boolean linf = constraint.norm() == Norm.LINF;
            double dist = constraint.norm().distance(x, adversarial);
            double high = linf ? dist : 1;
            double threshold = linf ? Math.min(dist * theta, theta) : theta;
            double low = 0;
            while ((high - low) / threshold > 1 && left() > 0) {
                double mid = (high + low) / 2;
                if (adversarial(between(x, adversarial, mid, linf))) {
                    high = mid;
                } else {
                    low = mid;
                }
            }
            return between(x, adversarial, high, linf);
        }

        /** The boundary's normal, estimated from the labels of random probes around {@code point}. */
        float[] gradient(float[] point, int evals, double delta) throws IOException {
            int d = point.length;
            float[][] probes = new float[evals][];
            double[][] directions = new double[evals][];
            for (int j = 0; j < evals; j++) {
                double[] rv = new double[d];
                double norm = 0;
                for (int k = 0; k < d; k++) {
                    rv[k] = constraint.norm() == Norm.L2 ? gaussian() : random.nextDouble() * 2 - 1;
                    norm += rv[k] * rv[k];
                }
                norm = Math.sqrt(norm);
                float[] probe = new float[d];
                for (int k = 0; k < d; k++) {
                    probe[k] = clip((float) (point[k] + delta * rv[k] / norm));
                    rv[k] = (probe[k] - point[k]) / delta;
                }
                probes[j] = probe;
                directions[j] = rv;
            }
            boolean[] decisions = adversarial(probes);
            double mean = 0;
            for (boolean b : decisions) {
                mean += b ? 1 : -1;
            }
            mean /= evals;
            double[] g = new double[d];
            for (int j = 0; j < evals; j++) {
                double f = decisions[j] ? 1 : -1;
                // All probes on one side: the mean direction (with its sign) is the best estimate left.
                double weight = Math.abs(mean) == 1.0 ? f : f - mean;
                for (int k = 0; k < d; k++) {
                    g[k] += weight * directions[j][k] / evals;
                }
            }
            double norm = 0;
            for (double v : g) {
                norm += v * v;
            }
            norm = Math.sqrt(norm) + 1e-12;
            float[] unit = new float[d];
            for (int k = 0; k < d; k++) {
                unit[k] = (float) (g[k] / norm);
            }
            return unit;
        }

        private double gaussian() {
            double u = 1 - random.nextDouble();
            double v = random.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
        }
    }

    private float[] between(float[] x, float[] adversarial, double alpha, boolean linf) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = linf ? (float) Math.min(x[k] + alpha, Math.max(x[k] - alpha, adversarial[k]))
                    : (float) ((1 - alpha) * x[k] + alpha * adversarial[k]);
        }
        return out;
    }

    private static float[] blend(float[] x, float[] other, double alpha) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) ((1 - alpha) * x[k] + alpha * other[k]);
        }
        return out;
    }

    private static float[] add(float[] x, float[] direction, double step) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) (x[k] + step * direction[k]);
        }
        return out;
    }

    private static float[] sign(float[] v) {
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = Math.signum(v[k]);
        }
        return out;
    }

    private float clip(float v) {
        return Math.min(constraint.max(), Math.max(constraint.min(), v));
    }

    private float[] clip(float[] v) {
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = clip(v[k]);
        }
        return out;
    }

    /** Into the ε-ball around {@code x} (in the attack's norm) and the input range, bound by a tabular input's rules. */
    float[] project(float[] x, float[] adv, float eps) {
        float[] out = new float[x.length];
        if (constraint.norm() == Norm.LINF) {
            for (int k = 0; k < x.length; k++) {
                out[k] = clip(Math.min(x[k] + eps, Math.max(x[k] - eps, adv[k])));
            }
            return constraint.bind(x, out);
        }
        double length = Norm.L2.distance(x, adv);
        double factor = length <= eps ? 1 : eps / length * (1 - 1e-6);
        for (int k = 0; k < x.length; k++) {
            out[k] = clip((float) (x[k] + factor * (adv[k] - x[k])));
        }
        return constraint.bind(x, out);
    }
}
