package io.robustml.tester.run;

import io.robustml.crds.model.AttackSpec;
import io.robustml.tester.attack.Norm;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * One attack of the suite with its defaults filled in, as the tester runs it.
 *
 * @param targetClass targeted threat models: random, leastLikely, a label name or a class index
 * @param reference   transfer only: the surrogate is the reference model given to the tester (else a knockoff)
 * @param synthetic   extraction only: JBDA's synthetic queries (else the knockoff's natural images)
 */
public record AttackPlan(AttackSpec.AttackType type, Norm norm, float epsilon, int steps, int restarts, int queryBudget,
        boolean adaptive, String targetClass, boolean reference, boolean synthetic) {
    public static final int DEFAULT_STEPS = 20;
    public static final int DEFAULT_SQUARE_BUDGET = 1000;
    public static final String RANDOM_TARGET = "random";
    public static final String LEAST_LIKELY = "leastLikely";

    public AttackPlan(AttackSpec.AttackType type, Norm norm, float epsilon, int steps, int restarts, int queryBudget,
            boolean adaptive) {
        this(type, norm, epsilon, steps, restarts, queryBudget, adaptive, RANDOM_TARGET, false, false);
    }

    public static AttackPlan of(AttackSpec spec) {
        if (spec == null || spec.type == null) {
            throw new IllegalArgumentException("an attack without a type");
        }
        Norm norm = spec.norm == AttackSpec.Norm.L2 ? Norm.L2 : Norm.LINF;
        float epsilon = spec.epsilon == null ? 0f : new BigDecimal(spec.epsilon).floatValue();
        boolean pgdLike = spec.type == AttackSpec.AttackType.PGD || spec.type == AttackSpec.AttackType.TRANSFER;
        int steps = spec.steps == null ? (pgdLike ? DEFAULT_STEPS : 1) : spec.steps;
        int restarts = spec.restarts == null ? 0 : spec.restarts;
        int budget = spec.queryBudget == null ? DEFAULT_SQUARE_BUDGET : spec.queryBudget;
        if (spec.type == AttackSpec.AttackType.SQUARE && norm != Norm.LINF) {
            throw new IllegalArgumentException("square is implemented for linf only");
        }
        return new AttackPlan(spec.type, norm, epsilon, steps, restarts, budget, Boolean.TRUE.equals(spec.adaptive),
                spec.targetClass == null ? RANDOM_TARGET : spec.targetClass, spec.surrogate == AttackSpec.Surrogate.REFERENCE,
                spec.mode == AttackSpec.ExtractionMode.JBDA);
    }

    /** Attacks computed on the target's own model file. */
    public boolean whiteBox() {
        return type == AttackSpec.AttackType.FGSM || type == AttackSpec.AttackType.PGD;
    }

    public boolean evasion() {
        return type != AttackSpec.AttackType.EXTRACTION;
    }

    /** Attacks that read the target's scores (not only its top-1 label) to decide their next query. */
    public boolean scoreBased() {
        return type == AttackSpec.AttackType.SQUARE;
    }

    /** Attacks whose examples are chosen without the target's gradients, for the gradient-masking checks. */
    public boolean blackBox() {
        return type == AttackSpec.AttackType.SQUARE || type == AttackSpec.AttackType.HOPSKIPJUMP
                || type == AttackSpec.AttackType.TRANSFER;
    }

    /** Stable, readable name: pgd-linf-0.1, square-linf-0.05, extraction-1000, extraction-jbda-1000, transfer-linf-0.1-reference. */
    public String name() {
        String type = this.type.name().toLowerCase(Locale.ROOT);
        if (!evasion()) {
            return type + (synthetic ? "-jbda-" : "-") + queryBudget;
        }
        String eps = new BigDecimal(Float.toString(epsilon)).stripTrailingZeros().toPlainString();
        String base = type + "-" + norm.name().toLowerCase(Locale.ROOT) + "-" + eps;
        boolean pgdLike = this.type == AttackSpec.AttackType.PGD || this.type == AttackSpec.AttackType.TRANSFER;
        String named = pgdLike && steps != DEFAULT_STEPS ? base + "-" + steps + "steps" : base;
        if (this.type == AttackSpec.AttackType.TRANSFER && reference) {
            named += "-reference";
        }
        if (!RANDOM_TARGET.equals(targetClass)) {
            named += "-to-" + targetClass.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        }
        return adaptive ? named + "-adaptive" : named;
    }
}
