package io.robustml.crds.run;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.robustml.crds.Decimal;
import java.util.List;

/**
 * Measured by the tester (metrics) and the operator (verdict). The measured parts are the tester's own result
 * types: its full report holds the same records. Decimal values are {@link Decimal}s: doubles in Java, strings
 * on the wire.
 */
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
    @Decimal
    @JsonPropertyDescription("Accuracy on unattacked examples.")
    public Double cleanAccuracy;
    @Decimal
    @JsonPropertyDescription("Highest adversarial success rate over the attacks.")
    public Double adversarialSuccessRate;
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

    /** Detector precision, recall and false-positive rate, and the counts they come from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("What the sidecar flagged in the test's traffic: each clean example once, each successful "
            + "adversarial example once per attack.")
    public record DetectorMetrics(
            @Decimal @JsonPropertyDescription("M2: of the inputs the sidecar flagged in the test's traffic, the fraction that were "
                    + "successful adversarial examples.") Double precision,
            @Decimal @JsonPropertyDescription("M3: fraction of successful adversarial examples (over all evasion attacks) the "
                    + "sidecar flagged.") Double recall,
            @Decimal @JsonPropertyDescription("Fraction of clean examples the sidecar flagged.") Double falsePositiveRate,
            @JsonPropertyDescription("Clean examples the sidecar flagged.") Integer flaggedClean,
            @JsonPropertyDescription("Successful adversarial examples the sidecar flagged.") Integer flaggedAdversarial,
            @JsonPropertyDescription("Successful adversarial examples over all evasion attacks.") Integer successfulAdversarial) {
    }

    /** Latency percentiles in milliseconds. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LatencyMetrics(
            @Decimal @JsonPropertyDescription("Median latency in milliseconds of single-example requests through the sidecar "
                    + "(decimal string).") Double p50Ms,
            @Decimal @JsonPropertyDescription("99th-percentile latency in milliseconds (decimal string); the maxLatencyP99Ms SLO "
                    + "compares this.") Double p99Ms,
            @JsonPropertyDescription("Single-example requests the percentiles were measured on.") Integer requests) {
    }

    /**
     * One attack's outcome. Perturbations are over successful examples, in the attack's norm. A skipped
     * attack has its reason in {@code skipped} and no numbers.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("The outcome of one attack of the suite.")
    public record AttackResult(
            @JsonPropertyDescription("Unique name of the attack in the suite, e.g. pgd-linf-0.1.") String name,
            @JsonPropertyDescription("Attack algorithm: fgsm, pgd, square, hopskipjump, transfer, noise or extraction.") String type,
            @JsonPropertyDescription("Perturbation norm the attack was bounded in: linf or l2 (absent for extraction).") String norm,
            @Decimal @JsonPropertyDescription("Perturbation budget the attack ran with, in input units (decimal string; absent for "
                    + "extraction).") Double epsilon,
            @JsonPropertyDescription("Gradient steps per restart (fgsm, pgd, transfer).") Integer steps,
            @JsonPropertyDescription("Random restarts (pgd, transfer).") Integer restarts,
            @JsonPropertyDescription("Queries allowed per example (square, hopskipjump, knockoff transfer) or in all "
                    + "(extraction).") Integer queryBudget,
            @JsonPropertyDescription("Examples attacked (extraction: held-out examples the surrogate was compared on).")
            Integer examples,
            @Decimal @JsonPropertyDescription("Fraction of originally correct examples the attack made wrong (M1).")
            Double adversarialSuccessRate,
            @Decimal @JsonPropertyDescription("Accuracy under the attack.") Double robustAccuracy,
            @Decimal @JsonPropertyDescription("Mean size of the perturbation over the successful adversarial examples, measured in "
                    + "the attack's norm and in input units (decimal string).") Double meanPerturbation,
            @Decimal @JsonPropertyDescription("Largest perturbation over the successful adversarial examples, in the attack's norm "
                    + "and input units (decimal string).") Double maxPerturbation,
            @JsonPropertyDescription("Queries sent (black-box attacks).") Long queriesUsed,
            @JsonPropertyDescription("Median queries an example took until the attack succeeded (query attacks, M5).")
            Integer medianQueriesToSuccess,
            @Decimal @JsonPropertyDescription("Fraction of successful adversarial examples the sidecar flagged (M3); for query "
                    + "attacks, flagged at any of the example's queries. Absent when the sidecar showed no verdicts.")
            Double detectionRecall,
            @Decimal @JsonPropertyDescription("Extraction: agreement of the attacker's surrogate with the target on held-out "
                    + "images.") Double surrogateAgreement,
            @JsonPropertyDescription("Extraction (and transfer's knockoff queries): the first query the sidecar flagged (1-based); "
                    + "query attacks: the median over flagged examples of the first flagged query; absent when none was flagged.")
            Integer queriesToFirstFlag,
            @Decimal @JsonPropertyDescription("Seconds the attack took (decimal string).") Double seconds,
            @JsonPropertyDescription("Why the attack was not run (e.g. a score-based attack against a label-only endpoint); "
                    + "a skipped attack measured nothing and counts for nothing.") String skipped,
            @JsonPropertyDescription("True when the attack pushed each example to a chosen class (goal targeted).") Boolean targeted,
            @Size(max = 20) @JsonPropertyDescription("The attack's results per true class (at most 20: the classes with most "
                    + "examples).") List<ClassResult> perClass,
            @JsonPropertyDescription("Transfer: how many of the adversarial examples replayed against the target the sidecar "
                    + "flagged.") Long flaggedQueries) {

        /** An attack that was not run, and why: its identity, no numbers. */
        public static AttackResult skipped(String name, String type, String norm, Double epsilon, String reason) {
            return new AttackResult(name, type, norm, epsilon, null, null, null, 0, null, null, null, null, null, null, null,
                    null, null, 0.0, reason, null, null, null);
        }
    }

    /** One true class's share of an attack's result. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One true class's share of an attack's result.")
    public record ClassResult(
            @JsonProperty("class") @JsonPropertyDescription("Label name, or class index when the run has no labels.")
            String className,
            @JsonPropertyDescription("Examples of this class attacked.") Integer examples,
            @Decimal @JsonPropertyDescription("Fraction of this class's originally correct examples the attack made wrong "
                    + "(targeted: the target).") Double adversarialSuccessRate,
            @Decimal @JsonPropertyDescription("Accuracy on this class's attacked examples.") Double robustAccuracy) {
    }

    /** One true class's clean accuracy. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One true class's clean accuracy.")
    public record CleanClassResult(
            @JsonProperty("class") @JsonPropertyDescription("Label name, or class index when the run has no labels.")
            String className,
            @JsonPropertyDescription("Examples of this class evaluated.") Integer examples,
            @Decimal @JsonPropertyDescription("Accuracy on this class's unattacked examples.") Double cleanAccuracy) {
    }

    /** A sign that the numbers may not mean what they say. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("A sign that the numbers may overstate robustness, with its reason and the numbers seen.")
    public record Warning(
            @JsonPropertyDescription("Machine-readable reason, e.g. GradientMasking.") String reason,
            @JsonPropertyDescription("What was seen, with the numbers.") String message) {
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

    /** The regression corpus's replay: one query per line. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CorpusResult(
            @JsonPropertyDescription("Corpus inputs replayed, one query each.") Integer examples,
            @Decimal @JsonPropertyDescription("Fraction of the corpus the revision got wrong (a line with a target: answered the "
                    + "target).") Double adversarialSuccessRate,
            @JsonPropertyDescription("SHA-256 of the corpus file replayed.") String sha256) {
    }

    /** Randomized smoothing's certificates, summarised. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CertificationResult(
            @Decimal @JsonPropertyDescription("The noise's standard deviation.") Double sigma,
            @JsonPropertyDescription("Draws that chose each example's class.") Integer n0,
            @JsonPropertyDescription("Draws that bounded its probability.") Integer n,
            @Decimal @JsonPropertyDescription("Failure probability of each certificate.") Double alpha,
            @JsonPropertyDescription("Examples certified.") Integer examples,
            @JsonPropertyDescription("Examples where the smoothed model abstained (the top class's lower bound was under 1/2).")
            Integer abstained,
            @Decimal @JsonPropertyDescription("Share the smoothed model classified correctly, at any radius (abstentions wrong).")
            Double smoothedAccuracy,
            @Size(max = 4) @JsonPropertyDescription("Certified accuracy at each requested radius.") List<CertifiedRadius> radii,
            @Decimal @JsonPropertyDescription("Seconds the certification took (decimal string).") Double seconds) {
    }

    /** Certified accuracy at one radius, overall and per true class. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("Certified accuracy at one L2 radius, overall and per true class.")
    public record CertifiedRadius(
            @Decimal @JsonPropertyDescription("L2 radius in input units.") Double radius,
            @Decimal @JsonPropertyDescription("Share of examples classified correctly with a certificate at least this radius.")
            Double certifiedAccuracy,
            @Size(max = 20) @JsonPropertyDescription("The same per true class (at most 20: the classes with most examples).")
            List<CertifiedClass> perClass) {
    }

    /** One true class's certified accuracy at a radius. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One true class's certified accuracy at the radius.")
    public record CertifiedClass(
            @JsonProperty("class") @JsonPropertyDescription("Class name from the model's labels, or the class index.")
            String className,
            @JsonPropertyDescription("Examples of this class certified.") Integer examples,
            @Decimal @JsonPropertyDescription("Share of them classified correctly with a certificate at least the radius.")
            Double certifiedAccuracy) {
    }

    /** Thresholds calibrated for this revision. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Calibration(
            @JsonPropertyDescription("Feature squeezing, when spec.detector.featureSqueezing.targetFalsePositiveRate is set.")
            FeatureSqueezingCalibration featureSqueezing,
            @JsonPropertyDescription("Query similarity, when spec.detector.querySimilarity.targetFalsePositiveRate is set.")
            QuerySimilarityCalibration querySimilarity) {
    }

    /** The query-similarity match threshold for a target false-positive rate on clean traffic. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QuerySimilarityCalibration(
            @JsonPropertyDescription("Flag a query sharing at least this many hashes with one earlier query.") Integer matchThreshold,
            @Decimal @JsonPropertyDescription("The false-positive rate asked for (decimal string).") Double targetFalsePositiveRate,
            @Decimal @JsonPropertyDescription("Fraction of the held-out clean queries the threshold flags (decimal string).")
            Double measuredFalsePositiveRate,
            @JsonPropertyDescription("Clean queries the threshold was computed on.") Integer calibrationSamples,
            @JsonPropertyDescription("Clean queries, not used for the threshold, the false-positive rate was measured on.")
            Integer heldOutSamples) {
    }

    /** The feature-squeezing threshold for the target false-positive rate, and the rate measured on held-out images. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FeatureSqueezingCalibration(
            @Decimal @JsonPropertyDescription("Flag when the squeezing score exceeds this (decimal string).") Double threshold,
            @Decimal @JsonPropertyDescription("The false-positive rate asked for (decimal string).") Double targetFalsePositiveRate,
            @Decimal @JsonPropertyDescription("Fraction of the held-out clean images the threshold flags (decimal string).")
            Double measuredFalsePositiveRate,
            @JsonPropertyDescription("Clean images the threshold was computed on.") Integer calibrationSamples,
            @JsonPropertyDescription("Clean images, not used for the threshold, the false-positive rate was measured on.")
            Integer heldOutSamples) {
    }
}
