package io.robustml.crds.run;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Measured by the tester (metrics) and the operator (verdict). Decimal values are strings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What the run measured, written by the tester Job, and the verdict, written by the operator. "
        + "Rates and other decimal values are strings such as \"0.05\".")
public class AdversarialTestRunStatus {
    @JsonPropertyDescription("Pending, Running, Succeeded or Failed (the tester could not finish; see error).")
    public String phase;
    @JsonPropertyDescription("When the tester started (RFC 3339).")
    public String startTime;
    @JsonPropertyDescription("When the tester finished (RFC 3339).")
    public String completionTime;
    @JsonPropertyDescription("Why the run failed, if it did.")
    public String error;
    @JsonPropertyDescription("Examples evaluated.")
    public Integer samples;
    @JsonPropertyDescription("Examples done so far, while Running.")
    public Integer examplesDone;
    @JsonPropertyDescription("Progress of a Running test: examples done and the success rates so far.")
    public String progress;
    @JsonPropertyDescription("Accuracy on unattacked examples.")
    public String cleanAccuracy;
    @JsonPropertyDescription("Highest adversarial success rate over the attacks.")
    public String adversarialSuccessRate;
    @JsonPropertyDescription("Detector results over the run.")
    public DetectorMetrics detector;
    @JsonPropertyDescription("Latency of the target under the test, through the sidecar.")
    public LatencyMetrics latency;
    @Size(max = 16)
    @JsonPropertyDescription("Per-attack results.")
    public List<AttackResult> attacks;
    @JsonPropertyDescription("Passed, Failed or Inconclusive, written by the operator.")
    public String verdict;
    @JsonPropertyDescription("SLOs violated, each with the measured value, written by the operator.")
    public List<String> violatedSlos;

    /** Detector precision, recall and false-positive rate. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DetectorMetrics {
        @JsonPropertyDescription("M2: of the inputs the sidecar flagged in the test's traffic, the fraction that were "
                + "successful adversarial examples.")
        public String precision;
        @JsonPropertyDescription("M3: fraction of successful adversarial examples (over all evasion attacks) the sidecar flagged.")
        public String recall;
        @JsonPropertyDescription("Fraction of clean examples the sidecar flagged.")
        public String falsePositiveRate;
    }

    /** Latency percentiles in milliseconds (decimal strings). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LatencyMetrics {
        @JsonPropertyDescription("Median latency in milliseconds of single-example requests through the sidecar (decimal string).")
        public String p50Ms;
        @JsonPropertyDescription("99th-percentile latency in milliseconds (decimal string); the maxLatencyP99Ms SLO compares this.")
        public String p99Ms;
        @JsonPropertyDescription("Single-example requests the percentiles were measured on.")
        public Integer requests;
    }

    /** One attack's outcome. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("The outcome of one attack of the suite.")
    public static class AttackResult {
        @JsonPropertyDescription("Unique name of the attack in the suite, e.g. pgd-linf-0.1.")
        public String name;
        @JsonPropertyDescription("Attack algorithm: fgsm, pgd, square, noise or extraction.")
        public String type;
        @JsonPropertyDescription("Perturbation norm the attack was bounded in: linf or l2 (absent for extraction).")
        public String norm;
        @JsonPropertyDescription("Perturbation budget the attack ran with, in input units (decimal string; absent for extraction).")
        public String epsilon;
        @JsonPropertyDescription("Fraction of originally correct examples the attack made wrong (M1).")
        public String adversarialSuccessRate;
        @JsonPropertyDescription("Accuracy under the attack.")
        public String robustAccuracy;
        @JsonPropertyDescription("Mean size of the perturbation over the successful adversarial examples, measured in the "
                + "attack's norm and in input units (decimal string).")
        public String meanPerturbation;
        @JsonPropertyDescription("Largest perturbation over the successful adversarial examples, in the attack's norm and "
                + "input units (decimal string).")
        public String maxPerturbation;
        @JsonPropertyDescription("Queries sent (black-box attacks).")
        public Long queriesUsed;
        @JsonPropertyDescription("Median queries an example took until the attack succeeded (query attacks, M5).")
        public Integer medianQueriesToSuccess;
        @JsonPropertyDescription("Fraction of successful adversarial examples the sidecar flagged (M3); for query attacks, "
                + "flagged at any of the example's queries. Absent when the sidecar showed no verdicts.")
        public String detectionRecall;
        @JsonPropertyDescription("Extraction: agreement of the attacker's surrogate with the target on held-out images.")
        public String surrogateAgreement;
        @JsonPropertyDescription("Extraction: the first query the sidecar flagged (1-based); absent when none was flagged.")
        public Integer queriesToFirstFlag;
    }
}
