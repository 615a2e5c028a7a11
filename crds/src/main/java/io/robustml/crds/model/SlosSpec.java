package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.robustml.crds.Decimals;

/**
 * Robustness SLOs (the seed's SLIs M1, M2, M3, M7 and latency). Fractions are decimal strings in
 * [0, 1], e.g. "0.05". An omitted SLO is not checked; relative SLOs are "not applicable" without a
 * stable baseline (the first revision).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SlosSpec {
    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("M1: highest adversarial success rate allowed for any attack of the suite, e.g. \"0.05\".")
    public String maxAdversarialSuccessRate;

    @Pattern(Decimals.NON_NEGATIVE)
    @JsonPropertyDescription("Relative M1: the canary's adversarial success rate may be at most this multiple of "
            + "stable's (e.g. \"2\" fails a canary twice as attackable), even under maxAdversarialSuccessRate.")
    public String maxAdversarialSuccessRateRatio;

    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("Lowest clean (unattacked) accuracy allowed, e.g. \"0.85\".")
    public String minCleanAccuracy;

    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("M7: largest drop in clean accuracy against the stable revision, e.g. \"0.02\".")
    public String maxCleanAccuracyDrop;

    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("M3: lowest detector recall on successful adversarial examples, e.g. \"0.80\".")
    public String minDetectionRecall;

    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("M2: lowest detector precision (flags that are real attacks), e.g. \"0.90\".")
    public String minDetectionPrecision;

    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("Relative M1 in points: the canary's adversarial success rate may exceed the stable "
            + "revision's (same attack) by at most this much, e.g. \"0.05\". Not applicable to a first release.")
    public String maxAdversarialSuccessRateIncrease;

    @io.fabric8.generator.annotation.Size(max = 20)
    @io.fabric8.generator.annotation.ValidationRule(value = "self.all(c, self.exists_one(d, d.name == c.name))",
            message = "each class is listed once")
    @JsonPropertyDescription("Classes with their own cap on adversarial success (seed M1: report per class and overall), "
            + "e.g. a stop sign. Checked on every attack's per-class figures.")
    public java.util.List<CriticalClass> criticalClasses;

    @Pattern(Decimals.FRACTION)
    @JsonPropertyDescription("Highest success rate allowed on the regression corpus (threatModel.corpus), e.g. \"0\".")
    public String maxCorpusSuccessRate;

    @Min(1)
    @Max(600000)
    @JsonPropertyDescription("Highest p99 latency through the sidecar in milliseconds during the analysis.")
    public Integer maxLatencyP99Ms;

    @JsonPropertyDescription("Lowest certified accuracy at a radius (threatModel.certification; the radius is one of its "
            + "radii): the share of examples the smoothed model classifies correctly with a certificate at least that "
            + "large, e.g. {radius: \"0.25\", accuracy: \"0.6\"}.")
    public CertifiedAccuracy minCertifiedAccuracy;

    /** A certified-accuracy floor at one L2 radius. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("A certified-accuracy floor at one L2 radius.")
    public static class CertifiedAccuracy {
        @io.fabric8.generator.annotation.Required
        @Pattern(Decimals.NON_NEGATIVE)
        @JsonPropertyDescription("The L2 radius, one of threatModel.certification.radii, e.g. \"0.25\".")
        public String radius;

        @io.fabric8.generator.annotation.Required
        @Pattern(Decimals.FRACTION)
        @JsonPropertyDescription("Lowest certified accuracy allowed at that radius, e.g. \"0.6\".")
        public String accuracy;
    }

    /** One class with its own cap. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("A class with its own cap on adversarial success.")
    public static class CriticalClass {
        @io.fabric8.generator.annotation.Required
        @io.fabric8.generator.annotation.Size(min = 1, max = 253)
        @JsonPropertyDescription("Class name from model.labels, or the class index as a decimal string.")
        public String name;

        @io.fabric8.generator.annotation.Required
        @Pattern(Decimals.FRACTION)
        @JsonPropertyDescription("Highest adversarial success rate allowed on inputs of this class, e.g. \"0.01\".")
        public String maxAdversarialSuccessRate;
    }
}
