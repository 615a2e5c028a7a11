package io.robustml.tester.run;

import io.robustml.crds.model.AttackSpec;
import io.robustml.tester.attack.Norm;
import java.math.BigDecimal;
import java.util.Locale;

/** One attack of the suite with its defaults filled in, as the tester runs it. */
public record AttackPlan(AttackSpec.AttackType type, Norm norm, float epsilon, int steps, int restarts, int queryBudget,
        boolean adaptive) {
    public static final int DEFAULT_STEPS = 20;
    public static final int DEFAULT_SQUARE_BUDGET = 1000;

    public static AttackPlan of(AttackSpec spec) {
        if (spec == null || spec.type == null) {
            throw new IllegalArgumentException("an attack without a type");
        }
        Norm norm = spec.norm == AttackSpec.Norm.L2 ? Norm.L2 : Norm.LINF;
        float epsilon = spec.epsilon == null ? 0f : new BigDecimal(spec.epsilon).floatValue();
        int steps = spec.steps == null ? (spec.type == AttackSpec.AttackType.PGD ? DEFAULT_STEPS : 1) : spec.steps;
        int restarts = spec.restarts == null ? 0 : spec.restarts;
        int budget = spec.queryBudget == null ? DEFAULT_SQUARE_BUDGET : spec.queryBudget;
        if (spec.type == AttackSpec.AttackType.SQUARE && norm != Norm.LINF) {
            throw new IllegalArgumentException("square is implemented for linf only");
        }
        return new AttackPlan(spec.type, norm, epsilon, steps, restarts, budget, Boolean.TRUE.equals(spec.adaptive));
    }

    public boolean whiteBox() {
        return type == AttackSpec.AttackType.FGSM || type == AttackSpec.AttackType.PGD;
    }

    public boolean evasion() {
        return type != AttackSpec.AttackType.EXTRACTION;
    }

    /** Stable, readable name: pgd-linf-0.1, square-linf-0.05, extraction-1000. */
    public String name() {
        String type = this.type.name().toLowerCase(Locale.ROOT);
        if (!evasion()) {
            return type + "-" + queryBudget;
        }
        String eps = new BigDecimal(Float.toString(epsilon)).stripTrailingZeros().toPlainString();
        String base = type + "-" + norm.name().toLowerCase(Locale.ROOT) + "-" + eps;
        String named = this.type == AttackSpec.AttackType.PGD && steps != DEFAULT_STEPS ? base + "-" + steps + "steps" : base;
        return adaptive ? named + "-adaptive" : named;
    }
}
