package io.robustml.crds.run;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
    @Size(max = 20)
    @JsonPropertyDescription("Clean accuracy per true class (at most 20: the classes with most examples).")
    public List<CleanClassResult> cleanPerClass;
    @Size(max = 32)
    @JsonPropertyDescription("Signs that the numbers may overstate robustness, e.g. reason GradientMasking: a weaker attack "
            + "beat a stronger one, or success did not rise with epsilon.")
    public List<Warning> warnings;
    @JsonPropertyDescription("The regression corpus replayed against the revision (spec.corpus).")
    public CorpusResult corpus;
    @JsonPropertyDescription("Certified L2 robustness of the smoothed model (spec.certification).")
    public CertificationResult certification;
    @JsonPropertyDescription("Detector thresholds calibrated on this revision's own clean answers.")
    public Calibration calibration;
    @JsonPropertyDescription("Where the tester's full JSON report is kept after its Job and pod are gone.")
    public ReportRef report;
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
        @JsonPropertyDescription("Attack algorithm: fgsm, pgd, square, hopskipjump, transfer, noise or extraction.")
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
        @JsonPropertyDescription("Extraction (and transfer's knockoff queries): the first query the sidecar flagged (1-based); "
                + "query attacks: the median over flagged examples of the first flagged query; absent when none was flagged.")
        public Integer queriesToFirstFlag;
        @JsonPropertyDescription("Transfer: how many of the adversarial examples replayed against the target the sidecar flagged.")
        public Long flaggedQueries;
        @JsonPropertyDescription("True when the attack pushed each example to a chosen class (goal targeted).")
        public Boolean targeted;
        @JsonPropertyDescription("Why the attack was not run (e.g. a score-based attack against a label-only endpoint); "
                + "a skipped attack measured nothing and counts for nothing.")
        public String skipped;
        @Size(max = 20)
        @JsonPropertyDescription("The attack's results per true class (at most 20: the classes with most examples).")
        public List<ClassResult> perClass;
    }

    /** One true class's share of an attack's result. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One true class's share of an attack's result.")
    public static class ClassResult {
        @JsonProperty("class")
        @JsonPropertyDescription("Label name, or class index when the run has no labels.")
        public String className;
        @JsonPropertyDescription("Examples of this class attacked.")
        public Integer examples;
        @JsonPropertyDescription("Fraction of this class's originally correct examples the attack made wrong (targeted: the target).")
        public String adversarialSuccessRate;
        @JsonPropertyDescription("Accuracy on this class's attacked examples.")
        public String robustAccuracy;
    }

    /** One true class's clean accuracy. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One true class's clean accuracy.")
    public static class CleanClassResult {
        @JsonProperty("class")
        @JsonPropertyDescription("Label name, or class index when the run has no labels.")
        public String className;
        @JsonPropertyDescription("Examples of this class evaluated.")
        public Integer examples;
        @JsonPropertyDescription("Accuracy on this class's unattacked examples.")
        public String cleanAccuracy;
    }

    /** A sign that the numbers may not mean what they say. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("A sign that the numbers may overstate robustness, with its reason and the numbers seen.")
    public static class Warning {
        @JsonPropertyDescription("Machine-readable reason, e.g. GradientMasking.")
        public String reason;
        @JsonPropertyDescription("What was seen, with the numbers.")
        public String message;
    }

    /** The full report, stored with the run (a ConfigMap the operator made for it and deletes with it). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ReportRef {
        @JsonPropertyDescription("ConfigMap holding the report, <run>-report in the run's namespace.")
        public String configMap;
        @JsonPropertyDescription("Key of the report in the ConfigMap: report.json (data), or report.json.gz (binaryData, "
                + "gzip) for a report too large to keep as text.")
        public String key;
        @JsonPropertyDescription("SHA-256 of the report JSON (before any compression).")
        public String sha256;
        @JsonPropertyDescription("Size of the report JSON in bytes (before any compression).")
        public Long bytes;
    }

    /** The regression corpus's replay. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CorpusResult {
        @JsonPropertyDescription("Corpus inputs replayed, one query each.")
        public Integer examples;
        @JsonPropertyDescription("Fraction of the corpus the revision got wrong (a line with a target: answered the target).")
        public String adversarialSuccessRate;
        @JsonPropertyDescription("SHA-256 of the corpus file replayed.")
        public String sha256;
    }

    /** Randomized smoothing's certificates, summarised. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CertificationResult {
        @JsonPropertyDescription("The noise's standard deviation.")
        public String sigma;
        @JsonPropertyDescription("Draws that chose each example's class.")
        public Integer n0;
        @JsonPropertyDescription("Draws that bounded its probability.")
        public Integer n;
        @JsonPropertyDescription("Failure probability of each certificate.")
        public String alpha;
        @JsonPropertyDescription("Examples certified.")
        public Integer examples;
        @JsonPropertyDescription("Examples where the smoothed model abstained (the top class's lower bound was under 1/2).")
        public Integer abstained;
        @JsonPropertyDescription("Share the smoothed model classified correctly, at any radius (abstentions wrong).")
        public String smoothedAccuracy;
        @Size(max = 4)
        @JsonPropertyDescription("Certified accuracy at each requested radius.")
        public List<CertifiedRadius> radii;
    }

    /** Certified accuracy at one radius, overall and per true class. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("Certified accuracy at one L2 radius, overall and per true class.")
    public static class CertifiedRadius {
        @JsonPropertyDescription("L2 radius in input units.")
        public String radius;
        @JsonPropertyDescription("Share of examples classified correctly with a certificate at least this radius.")
        public String certifiedAccuracy;
        @Size(max = 20)
        @JsonPropertyDescription("The same per true class (at most 20: the classes with most examples).")
        public List<CertifiedClass> perClass;
    }

    /** One true class's certified accuracy at a radius. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("One true class's certified accuracy at the radius.")
    public static class CertifiedClass {
        @JsonPropertyDescription("Class name from the model's labels, or the class index.")
        @com.fasterxml.jackson.annotation.JsonProperty("class")
        public String className;
        @JsonPropertyDescription("Examples of this class certified.")
        public Integer examples;
        @JsonPropertyDescription("Share of them classified correctly with a certificate at least the radius.")
        public String certifiedAccuracy;
    }

    /** Thresholds calibrated for this revision. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Calibration {
        @JsonPropertyDescription("Feature squeezing, when spec.detector.featureSqueezing.targetFalsePositiveRate is set.")
        public FeatureSqueezingCalibration featureSqueezing;
        @JsonPropertyDescription("Query similarity, when spec.detector.querySimilarity.targetFalsePositiveRate is set.")
        public QuerySimilarityCalibration querySimilarity;
    }

    /** The query-similarity match threshold for a target false-positive rate on clean traffic. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class QuerySimilarityCalibration {
        @JsonPropertyDescription("Flag a query sharing at least this many hashes with one earlier query.")
        public Integer matchThreshold;
        @JsonPropertyDescription("The false-positive rate asked for (decimal string).")
        public String targetFalsePositiveRate;
        @JsonPropertyDescription("Fraction of the held-out clean queries the threshold flags (decimal string).")
        public String measuredFalsePositiveRate;
        @JsonPropertyDescription("Clean queries the threshold was computed on.")
        public Integer calibrationSamples;
        @JsonPropertyDescription("Clean queries, not used for the threshold, the false-positive rate was measured on.")
        public Integer heldOutSamples;
    }

    /** The feature-squeezing threshold for the target false-positive rate, and the rate measured on held-out images. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FeatureSqueezingCalibration {
        @JsonPropertyDescription("Flag when the squeezing score exceeds this (decimal string).")
        public String threshold;
        @JsonPropertyDescription("The false-positive rate asked for (decimal string).")
        public String targetFalsePositiveRate;
        @JsonPropertyDescription("Fraction of the held-out clean images the threshold flags (decimal string).")
        public String measuredFalsePositiveRate;
        @JsonPropertyDescription("Clean images the threshold was computed on.")
        public Integer calibrationSamples;
        @JsonPropertyDescription("Clean images, not used for the threshold, the false-positive rate was measured on.")
        public Integer heldOutSamples;
    }
}
