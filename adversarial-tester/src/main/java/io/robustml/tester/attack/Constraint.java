package io.robustml.tester.attack;

/**
 * The threat model's budget: every adversarial example must lie within ε of its original in the
 * norm and inside the valid input range. Attacks project onto it; {@link #check} asserts it, so an
 * attack that drifts outside can never report a success it was not allowed to have.
 */
public record Constraint(Norm norm, float epsilon, float min, float max) {
    /** Slack for float rounding in projections (a 1e-5 change is far below one 8-bit pixel level). */
    static final double TOLERANCE = 1e-5;

    public Constraint {
        if (!(epsilon >= 0) || !(min < max)) {
            throw new IllegalArgumentException("need epsilon >= 0 and min < max, got " + epsilon + ", [" + min + ", " + max + "]");
        }
    }

    public static Constraint unitRange(Norm norm, float epsilon) {
        return new Constraint(norm, epsilon, 0f, 1f);
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
            double d = norm.distance(originals[i], adv);
            if (d > epsilon + TOLERANCE * (norm == Norm.L2 ? Math.sqrt(adv.length) : 1)) {
                throw new IllegalStateException("adversarial example " + i + " is " + d + " from its original in " + norm + ", beyond epsilon " + epsilon);
            }
        }
    }
}
