package io.robustml.tester.attack;

import io.robustml.crds.model.ModelSpec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tabular input's columns as model.input.features describes them, in the attacks' space: each column scaled
 * to [0, 1] by its range, so that ε is a fraction of every column's range. What an attacker may send obeys
 * the columns' rules: immutable columns keep the original's value, a column with a maxChange moves at most that
 * fraction of its range, integer columns hold whole numbers (in the model's units), one-hot groups hold exactly one 1.
 */
public final class FeatureRules implements InputMap {
    /** Slack for float rounding when checking (far below any column's unit). */
    static final double TOLERANCE = 1e-4;
    private final String[] names;
    private final float[] min;
    private final float[] span;
    private final boolean[] integer;
    private final boolean[] immutable;
    /** Each column's own ε (maxChange) in the attacks' space; infinite where the column has none. */
    private final float[] cap;
    private final int[][] groups;

    private FeatureRules(String[] names, float[] min, float[] span, boolean[] integer, boolean[] immutable, float[] cap,
            int[][] groups) {
        this.names = names;
        this.min = min;
        this.span = span;
        this.integer = integer;
        this.immutable = immutable;
        this.cap = cap;
        this.groups = groups;
    }

    /** From the spec (the CRD checked each column's range; a one-hot group needs two columns or more). */
    public static FeatureRules of(List<ModelSpec.FeatureSpec> features) {
        int n = features.size();
        String[] names = new String[n];
        float[] min = new float[n];
        float[] span = new float[n];
        boolean[] integer = new boolean[n];
        boolean[] immutable = new boolean[n];
        float[] cap = new float[n];
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int j = 0; j < n; j++) {
            ModelSpec.FeatureSpec f = features.get(j);
            names[j] = f.name;
            min[j] = new BigDecimal(f.min).floatValue();
            span[j] = new BigDecimal(f.max).floatValue() - min[j];
            if (!(span[j] > 0)) {
                throw new IllegalArgumentException("model.input.features[" + j + "] (" + f.name + "): min must be below max");
            }
            integer[j] = f.type == ModelSpec.FeatureType.INTEGER;
            if (integer[j] && Math.ceil(min[j]) > Math.floor(min[j] + span[j])) {
                throw new IllegalArgumentException("model.input.features[" + j + "] (" + f.name + "): an integer column's range "
                        + "holds no whole number");
            }
            immutable[j] = Boolean.FALSE.equals(f.mutable);
            cap[j] = f.maxChange == null ? Float.POSITIVE_INFINITY : new BigDecimal(f.maxChange).floatValue();
            if (f.maxChange != null && f.oneHotGroup != null) {
                throw new IllegalArgumentException("model.input.features[" + j + "] (" + f.name + "): a one-hot column takes no "
                        + "maxChange");
            }
            if (f.oneHotGroup != null) {
                groups.computeIfAbsent(f.oneHotGroup, g -> new ArrayList<>()).add(j);
            }
        }
        int[][] grouped = new int[groups.size()][];
        int g = 0;
        for (Map.Entry<String, List<Integer>> e : groups.entrySet()) {
            if (e.getValue().size() < 2) {
                throw new IllegalArgumentException("model.input.features: oneHotGroup " + e.getKey() + " has one column; a one-hot "
                        + "group needs two or more");
            }
            grouped[g++] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        }
        return new FeatureRules(names, min, span, integer, immutable, cap, grouped);
    }

    public int size() {
        return names.length;
    }

    /** The columns' names, in order. */
    public List<String> names() {
        return List.of(names);
    }

    /** A row in the model's units, scaled into the attacks' space. */
    public float[] toAttack(float[] row) {
        float[] out = new float[row.length];
        for (int j = 0; j < row.length; j++) {
            out[j] = (row[j] - min[j]) / span[j];
        }
        return out;
    }

    /** A row of the attacks' space in the model's units (integer columns exact whole numbers). */
    @Override
    public float[] toModel(float[] scaled) {
        float[] out = new float[scaled.length];
        for (int j = 0; j < scaled.length; j++) {
            out[j] = min[j] + scaled[j] * span[j];
            if (integer[j]) {
                out[j] = (float) Math.rint(out[j]);
            }
        }
        return out;
    }

    /** The multiplier of each column from the attacks' space to the model's units (for gradients). */
    @Override
    public float[] spans() {
        return span.clone();
    }

    /** The offset of each column (its min). */
    @Override
    public float[] mins() {
        return min.clone();
    }

    /**
     * A probe an attacker can send, near {@code p}: inside [0, 1], immutable columns as in {@code origin}, columns
     * with a maxChange within it of {@code origin}, integer columns rounded, each one-hot group set to its largest
     * value. No ε: for decision-based probes.
     */
    public float[] valid(float[] origin, float[] p) {
        float[] out = new float[p.length];
        for (int j = 0; j < p.length; j++) {
            float v = capped(origin[j], Math.min(1f, Math.max(0f, p[j])), j);
            if (immutable[j]) {
                v = origin[j];
            } else if (integer[j]) {
                double raw = Math.rint(min[j] + v * span[j]);
                raw = Math.min(Math.floor(min[j] + span[j]), Math.max(Math.ceil(min[j]), raw));
                v = (float) ((raw - min[j]) / span[j]);
            }
            out[j] = v;
        }
        for (int[] group : groups) {
            if (immutable[group[0]]) {
                continue;
            }
            int k = argmax(out, group);
            for (int j : group) {
                out[j] = j == k ? 1f : 0f;
            }
        }
        return out;
    }

    /**
     * An adversarial example that obeys the rules and stays within ε of {@code origin}: {@code adv} (already in
     * the ε-ball and [0, 1]) with immutable columns restored, columns with a maxChange brought within it of the
     * original, integer columns moved to the whole number nearest to it between the original and it (never
     * further from the original, so no norm grows), and each one-hot group either the original's or the category
     * {@code adv} leans to most, when that is still within ε.
     */
    public float[] bind(float[] origin, float[] adv, Norm norm, float epsilon) {
        float[] out = adv.clone();
        for (int j = 0; j < out.length; j++) {
            out[j] = capped(origin[j], adv[j], j);
            if (immutable[j]) {
                out[j] = origin[j];
            } else if (integer[j]) {
                double raw0 = min[j] + (double) origin[j] * span[j];
                double raw = min[j] + (double) out[j] * span[j];
                double lo = Math.min(raw0, raw);
                double hi = Math.max(raw0, raw);
                double c = Math.rint(raw);
                if (c < lo || c > hi) {
                    c = raw >= raw0 ? Math.floor(raw) : Math.ceil(raw);
                }
                out[j] = c < lo || c > hi ? origin[j] : (float) ((c - min[j]) / span[j]);
            }
        }
        for (int[] group : groups) {
            int k0 = argmax(origin, group);
            int k = argmax(out, group);
            for (int j : group) {
                out[j] = origin[j];
            }
            if (k != k0 && !immutable[group[0]]) {
                float[] switched = out.clone();
                for (int j : group) {
                    switched[j] = j == k ? 1f : 0f;
                }
                if (norm.distance(origin, switched) <= epsilon + Constraint.TOLERANCE) {
                    out = switched;
                }
            }
        }
        return out;
    }

    /** Why {@code adv} breaks a rule with respect to {@code origin} (both in the attacks' space), or null. */
    public String violation(float[] origin, float[] adv) {
        for (int j = 0; j < adv.length; j++) {
            if (immutable[j] && adv[j] != origin[j]) {
                return "immutable column " + names[j] + " changed from " + origin[j] + " to " + adv[j];
            }
            if (Math.abs(adv[j] - origin[j]) > cap[j] + TOLERANCE) {
                return "column " + names[j] + " moved by " + Math.abs(adv[j] - origin[j]) + " of its range, beyond its maxChange "
                        + cap[j];
            }
            double raw = min[j] + (double) adv[j] * span[j];
            if (integer[j] && Math.abs(raw - Math.rint(raw)) > TOLERANCE * Math.max(1, Math.abs(raw))) {
                return "integer column " + names[j] + " holds " + raw;
            }
        }
        for (int[] group : groups) {
            int ones = 0;
            for (int j : group) {
                if (adv[j] == 1f) {
                    ones++;
                } else if (adv[j] != 0f) {
                    return "one-hot column " + names[j] + " holds " + adv[j];
                }
            }
            if (ones != 1) {
                return "one-hot group of " + names[group[0]] + " has " + ones + " ones";
            }
        }
        return null;
    }

    /** {@code v} brought within the column's maxChange of {@code origin} (as it is for a column without one). */
    private float capped(float origin, float v, int j) {
        return Math.min(origin + cap[j], Math.max(origin - cap[j], v));
    }

    private static int argmax(float[] v, int[] group) {
        int best = group[0];
        for (int j : group) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }
}
