package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.robustml.crds.Decimals;

/** One attack of the suite with its budget. Decimal values are strings, e.g. epsilon: "0.1". */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("One attack of the suite and its budget: type, norm and epsilon (evasion attacks), steps and "
        + "restarts (pgd, transfer), queryBudget (square, hopskipjump, extraction, transfer's knockoff), surrogate (transfer), "
        + "targetClass (targeted threat models). Decimal values are strings, e.g. epsilon: \"0.1\".")
@ValidationRule(value = "self.type == 'extraction' || has(self.epsilon)",
        message = "evasion attacks (fgsm, pgd, square, noise, hopskipjump, transfer) need an epsilon", fieldPath = ".epsilon")
@ValidationRule(value = "self.type != 'extraction' || !has(self.epsilon)",
        message = "extraction has no epsilon; it is limited by queryBudget", fieldPath = ".epsilon")
@ValidationRule(value = "!has(self.epsilon) || (has(self.norm) && self.norm == 'l2') || double(self.epsilon) <= 1.0",
        message = "an linf epsilon is a per-pixel bound on inputs in [0, 1]: it must be <= 1", fieldPath = ".epsilon")
@ValidationRule(value = "!has(self.epsilon) || double(self.epsilon) > 0.0",
        message = "epsilon must be greater than 0", fieldPath = ".epsilon")
@ValidationRule(value = "(self.type != 'square' && self.type != 'extraction') || has(self.queryBudget)",
        message = "square and extraction are query attacks: they need a queryBudget", fieldPath = ".queryBudget")
@ValidationRule(value = "self.type == 'pgd' || self.type == 'transfer' || (!has(self.steps) && !has(self.restarts))",
        message = "steps and restarts apply only to pgd and transfer", fieldPath = ".steps")
@ValidationRule(value = "self.type == 'transfer' || !has(self.surrogate)",
        message = "surrogate applies only to transfer", fieldPath = ".surrogate")
@ValidationRule(value = "!has(self.surrogate) || self.surrogate != 'reference' || !has(self.queryBudget)",
        message = "a reference surrogate is given to the tester, not trained by queries: no queryBudget", fieldPath = ".queryBudget")
@ValidationRule(value = "(self.type != 'extraction' && self.type != 'noise') || !has(self.targetClass)",
        message = "targetClass applies only to targeted evasion attacks", fieldPath = ".targetClass")
@ValidationRule(value = "self.type == 'pgd' || !has(self.adaptive)",
        message = "adaptive applies only to pgd", fieldPath = ".adaptive")
@ValidationRule(value = "self.type == 'extraction' || !has(self.mode)",
        message = "mode applies only to extraction", fieldPath = ".mode")
@ValidationRule(value = "self.type != 'extraction' || !has(self.norm)",
        message = "extraction has no norm", fieldPath = ".norm")
public class AttackSpec {
    @Required
    @JsonPropertyDescription("fgsm (one gradient step), pgd (projected gradient descent, white-box), square (score-based "
            + "black-box), hopskipjump (decision-based black-box: needs only the predicted label), transfer (pgd on a surrogate "
            + "model, replayed once against the target), noise (random perturbation baseline) or extraction (model stealing by queries).")
    public AttackType type;

    @JsonPropertyDescription("Perturbation norm: linf (max per-pixel change, the default) or l2 (Euclidean length).")
    public Norm norm;

    @Pattern(Decimals.NON_NEGATIVE)
    @JsonPropertyDescription("Perturbation budget in input units, a decimal string; \"0.1\" under linf on [0, 1] pixels lets each pixel move by 25.5 of 255 levels.")
    public String epsilon;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("PGD iterations (default 20; transfer: on the surrogate).")
    public Integer steps;

    @Min(0)
    @Max(20)
    @JsonPropertyDescription("PGD random restarts (default 0): the strongest of restarts+1 runs counts.")
    public Integer restarts;

    @Min(1)
    @Max(1000000)
    @JsonPropertyDescription("Queries per example (square, hopskipjump; default 1000) or in total (extraction; transfer with "
            + "a knockoff surrogate, default 1000) the attacker may send.")
    public Integer queryBudget;

    @JsonPropertyDescription("transfer only: knockoff (default; a surrogate trained on queryBudget of the target's answers, as "
            + "the extraction attack does) or reference (a model file given to the tester, e.g. another revision).")
    public Surrogate surrogate;

    @Size(min = 1, max = 63)
    @JsonPropertyDescription("Targeted threat models: the class each example is pushed to: random (default, seeded), "
            + "leastLikely (the class the model finds least likely on the clean example), a label name or a class index.")
    public String targetClass;

    @JsonPropertyDescription("pgd only: detector-aware (adaptive) PGD that also minimises the sidecar's feature-squeezing "
            + "score (BPDA through bit-depth reduction), reported as its own attack: a detector that only stops naive "
            + "attacks must not look strong.")
    public Boolean adaptive;

    @JsonPropertyDescription("extraction only: knockoff (default; natural images of the attacker's pool, Orekondy et al. "
            + "2019 — no statistical detector can tell them from clients) or jbda (Jacobian-based dataset augmentation, "
            + "Papernot et al. 2017: a few seed images, then rounds of synthetic queries each a small step from an earlier "
            + "one along the substitute's gradient — what the extraction detector, PRADA, is built to flag).")
    public ExtractionMode mode;

    /** How the extraction attack chooses its queries. */
    public enum ExtractionMode {
        @JsonProperty("knockoff") KNOCKOFF,
        @JsonProperty("jbda") JBDA
    }

    /** Attack algorithms. */
    public enum AttackType {
        @JsonProperty("fgsm") FGSM,
        @JsonProperty("pgd") PGD,
        @JsonProperty("square") SQUARE,
        @JsonProperty("noise") NOISE,
        @JsonProperty("extraction") EXTRACTION,
        @JsonProperty("hopskipjump") HOPSKIPJUMP,
        @JsonProperty("transfer") TRANSFER
    }

    /** Where a transfer attack's surrogate comes from. */
    public enum Surrogate {
        @JsonProperty("knockoff") KNOCKOFF,
        @JsonProperty("reference") REFERENCE
    }

    /** Perturbation norms. */
    public enum Norm {
        @JsonProperty("linf") LINF,
        @JsonProperty("l2") L2
    }
}
