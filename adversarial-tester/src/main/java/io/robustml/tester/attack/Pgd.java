package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Projected gradient descent (Madry et al. 2018) under an L∞ or L2 bound: optional uniform random
 * start in the ε-ball, then {@code steps} ascent steps of size {@code stepSize} on the cross-entropy
 * loss (signed gradient for L∞, unit-L2 gradient for L2), each projected back into the ε-ball and
 * the input range. FGSM (FGM under L2) is one step of size ε without random start.
 *
 * <p>An example keeps the first iterate that fools the model (early stop per example), and of
 * {@code restarts + 1} runs any successful one counts: both only ever add successes, so more steps
 * or restarts on the same seed never make the attack weaker — the property a judge needs.
 */
public record Pgd(Constraint constraint, float stepSize, int steps, int restarts, boolean randomStart, boolean stopAtSuccess) {

    public Pgd(Constraint constraint, float stepSize, int steps, int restarts, boolean randomStart) {
        this(constraint, stepSize, steps, restarts, randomStart, true);
    }

    public Pgd {
        if (steps < 1 || restarts < 0 || !(stepSize > 0 || constraint.epsilon() == 0)) {
            throw new IllegalArgumentException("need steps >= 1, restarts >= 0 and a positive step size");
        }
    }

    public static Pgd fgsm(Constraint constraint) {
        return new Pgd(constraint, Math.max(constraint.epsilon(), Float.MIN_NORMAL), 1, 0, false);
    }

    /**
     * PGD on a surrogate, for transfer: every step is taken (no stop at the surrogate's first success),
     * because an example just across the surrogate's boundary rarely crosses the target's; one driven
     * deep into the wrong class does (Papernot et al. 2016; Madry et al.'s transfer experiments).
     */
    public static Pgd transfer(Constraint constraint, int steps, int restarts) {
        return new Pgd(constraint, Math.max(2.5f * constraint.epsilon() / steps, Float.MIN_NORMAL), steps, restarts, true, false);
    }

    /** Madry's settings: random start and a step of 2.5 ε / steps, enough to cross the ball. */
    public static Pgd standard(Constraint constraint, int steps, int restarts) {
        return new Pgd(constraint, Math.max(2.5f * constraint.epsilon() / steps, Float.MIN_NORMAL), steps, restarts, true);
    }

    /**
     * Adversarial examples for {@code x} (batch first). {@code labels} are the true classes
     * (untargeted: move away) or the target classes (targeted: move towards).
     */
    public NDArray attack(Differentiable model, NDArray x, NDArray labels, boolean targeted) {
        NDArray classes = labels.toType(DataType.INT64, false);
        Run best = once(model, x, classes, targeted);
        for (int r = 0; r < restarts; r++) {
            Run next = once(model, x, classes, targeted);
            NDArray take = next.fooled().logicalAnd(best.fooled().logicalNot());
            best = new Run(NDArrays.where(perExample(take, x.getShape()), next.adversarial(), best.adversarial()),
                    best.fooled().logicalOr(next.fooled()));
        }
        return best.adversarial();
    }

    public NDArray attack(Differentiable model, NDArray x, NDArray labels) {
        return attack(model, x, labels, false);
    }

    private record Run(NDArray adversarial, NDArray fooled) {
    }

    private Run once(Differentiable model, NDArray x, NDArray classes, boolean targeted) {
        NDArray adv = randomStart ? project(x, x.add(randomDelta(x))) : x;
        NDArray fooled = null;
        for (int i = 0; i < steps; i++) {
            WhiteBoxModel.GradientAndLogits g = model.lossGradientAndLogits(adv, classes);
            NDArray now = fooled(g.logits(), classes, targeted);
            fooled = fooled == null ? now : fooled.logicalOr(now);
            NDArray direction = constraint.norm() == Norm.LINF ? g.gradient().sign() : unitL2(g.gradient());
            NDArray stepped = project(x, adv.add(direction.mul(targeted ? -stepSize : stepSize)));
            adv = stopAtSuccess ? NDArrays.where(perExample(fooled, x.getShape()), adv, stepped) : stepped;
        }
        fooled = fooled.logicalOr(fooled(model.logits(adv), classes, targeted));
        return new Run(adv, fooled);
    }

    private static NDArray fooled(NDArray logits, NDArray classes, boolean targeted) {
        NDArray predicted = logits.argMax(1);
        return targeted ? predicted.eq(classes) : predicted.neq(classes);
    }

    /** Into the ε-ball around {@code x}, then into the input range (which can only shrink the change). */
    public NDArray project(NDArray x, NDArray adv) {
        float eps = constraint.epsilon();
        NDArray delta = adv.sub(x);
        if (constraint.norm() == Norm.LINF) {
            delta = delta.clip(-eps, eps);
        } else {
            NDArray length = perExampleL2(delta);
            NDArray factor = length.add(1e-12f).pow(-1).mul(eps).minimum(1f);
            delta = delta.mul(perExample(factor, x.getShape()));
        }
        NDArray inside = x.add(delta).clip(constraint.min(), constraint.max());
        if (constraint.features() == null) {
            return inside;
        }
        // A tabular input's rules, row by row (its rows are short).
        int rows = (int) x.getShape().get(0);
        int d = (int) (x.getShape().size() / rows);
        float[] origins = x.toFloatArray();
        float[] advs = inside.toFloatArray();
        float[] bound = new float[advs.length];
        for (int i = 0; i < rows; i++) {
            float[] row = constraint.bind(java.util.Arrays.copyOfRange(origins, i * d, (i + 1) * d),
                    java.util.Arrays.copyOfRange(advs, i * d, (i + 1) * d));
            System.arraycopy(row, 0, bound, i * d, d);
        }
        return x.getManager().create(bound, x.getShape());
    }

    private NDArray randomDelta(NDArray x) {
        float eps = constraint.epsilon();
        if (constraint.norm() == Norm.LINF) {
            return x.getManager().randomUniform(-eps, eps, x.getShape());
        }
        // Uniform in the L2 ball: a Gaussian direction scaled by ε·u^(1/d).
        NDArray direction = unitL2(x.getManager().randomNormal(x.getShape()));
        long d = x.getShape().size() / x.getShape().get(0);
        NDArray radius = x.getManager().randomUniform(0f, 1f, new Shape(x.getShape().get(0))).pow(1f / d).mul(eps);
        return direction.mul(perExample(radius, x.getShape()));
    }

    private static NDArray unitL2(NDArray v) {
        return v.div(perExample(perExampleL2(v).add(1e-12f), v.getShape()));
    }

    private static NDArray perExampleL2(NDArray v) {
        return v.reshape(v.getShape().get(0), -1).square().sum(new int[] {1}).sqrt();
    }

    /** A per-example value (shape [N]) broadcast to the batch's shape. */
    private static NDArray perExample(NDArray values, Shape batchShape) {
        long[] dims = new long[batchShape.dimension()];
        java.util.Arrays.fill(dims, 1L);
        dims[0] = batchShape.get(0);
        return values.reshape(new Shape(dims)).broadcast(batchShape);
    }
}
