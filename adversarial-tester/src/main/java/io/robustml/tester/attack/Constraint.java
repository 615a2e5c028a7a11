package io.robustml.tester.attack;

/**
 * The threat model's budget: every adversarial example must lie within ε of its original in the
 * norm and inside the valid input range. Attacks project onto it; {@link #check} asserts it, so an
 * attack that drifts outside can never report a success it was not allowed to have. A tabular input's
 * {@link FeatureRules} (null for images) bind every example further: attacks {@link #bind} what they produce.
 */
public record Constraint(Norm norm, float epsilon, float min, float max, FeatureRules features) {
    /** Slack for float rounding in projections (a 1e-5 change is far below one 8-bit pixel level). */
    static final double TOLERANCE = 1e-5;

    public Constraint {
        if (!(epsilon >= 0) || !(min < max)) {
            throw new IllegalArgumentException("need epsilon >= 0 and min < max, got " + epsilon + ", [" + min + ", " + max + "]");
        }
    }

    public Constraint(Norm norm, float epsilon, float min, float max) {
        this(norm, epsilon, min, max, null);
    }

    public static Constraint unitRange(Norm norm, float epsilon) {
        return new Constraint(norm, epsilon, 0f, 1f);
    }

    /** An example in the ε-ball and the range, made to obey the columns' rules (as it is for images). */
    public float[] bind(float[] origin, float[] adv) {
        return features == null ? adv : features.bind(origin, adv, norm, epsilon);
    }

    /** A probe made valid (for decision-based attacks' queries; as it is for images). */
    public float[] valid(float[] origin, float[] probe) {
        return features == null ? probe : features.valid(origin, probe);
    }

    /** Throws if any adversarial example leaves the ε-ball around its original or the input range. */
    public void check(float[][] originals, float[][] adversarials) {
        if (originals.length != adversarials.length) {
            throw new IllegalStateException("attack returned " + adversarials.length + " examples for " + originals.length);
        }
        for (int i = 0; i < originals.length; i++) {
            float[] adv = adversarials[i];
            for (float v : adv) {
                if (!(v >= min - TOLERANCE && v <= max + TOLERANCE)) {
                    throw new IllegalStateException("adversarial example " + i + " has a value " + v + " outside [" + min + ", " + max + "]");
                }
            }
            String broken = features == null ? null : features.violation(originals[i], adv);
            if (broken != null) {
                throw new IllegalStateException("adversarial example " + i + ": " + broken);
            }
            double d = norm.distance(originals[i], adv);
            if (d > epsilon + TOLERANCE * (norm == Norm.L2 ? Math.sqrt(adv.length) : 1)) {
                throw new IllegalStateException("adversarial example " + i + " is " + d + " from its original in " + norm + ", beyond epsilon " + epsilon);
            }
        }
    }
}
