package io.robustml.tester.attack;

/** Perturbation norms, with the distance of one flat example from another. */
public enum Norm {
    LINF,
    L2;

    /** ‖a − b‖ in this norm. */
    public double distance(float[] a, float[] b) {
        double result = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            result = this == LINF ? Math.max(result, d) : result + d * d;
        }
        return this == LINF ? result : Math.sqrt(result);
    }

    public static Norm of(String name) {
        return name == null || name.equalsIgnoreCase("linf") ? LINF : valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
