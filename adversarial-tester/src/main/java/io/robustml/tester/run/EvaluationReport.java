package io.robustml.tester.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Everything one evaluation measured: written as the JSON report file and, in short, into the run's
 * status. Rates are fractions in [0, 1]; a null means "not measured" (e.g. no verdicts visible), never 0.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(String model, String revision, String endpoint, int samples, double cleanAccuracy,
        Detection detection, Latency latency, List<AttackReport> attacks, Timing timing, List<CleanClass> cleanPerClass,
        List<Warning> warnings, CorpusReport corpus, Calibration calibration, SimilarityCalibration similarityCalibration,
        CertificationReport certification) {

    public EvaluationReport(String model, String revision, String endpoint, int samples, double cleanAccuracy,
            Detection detection, Latency latency, List<AttackReport> attacks, Timing timing) {
        this(model, revision, endpoint, samples, cleanAccuracy, detection, latency, attacks, timing, null, null, null, null, null,
                null);
    }

    /** Randomized smoothing's certified accuracy (spec.certification). */
    public record CertificationReport(double sigma, int n0, int n, double alpha, int examples, int abstained,
            double smoothedAccuracy, List<CertifiedRadius> radii, double seconds) {
    }

    /** Certified accuracy at one L2 radius, overall and per true class. */
    public record CertifiedRadius(double radius, double certifiedAccuracy, List<CertifiedClass> perClass) {
    }

    /** One true class's certified accuracy at a radius. */
    public record CertifiedClass(@JsonProperty("class") String className, int examples, double certifiedAccuracy) {
    }

    /**
     * One attack's numbers. Perturbations are over successful examples, in the attack's norm. A skipped
     * attack has its reason in {@code skipped} and no numbers.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttackReport(String name, String type, String norm, Float epsilon, Integer steps, Integer restarts,
            Integer queryBudget, int examples, Double adversarialSuccessRate, Double robustAccuracy, Double meanPerturbation,
            Double maxPerturbation, Long queriesUsed, Integer medianQueriesToSuccess, Double detectionRecall,
            Double surrogateAgreement, Integer queriesToFirstFlag, double seconds, String skipped, Boolean targeted,
            List<ClassReport> perClass, Long flaggedQueries) {

        public AttackReport(String name, String type, String norm, Float epsilon, Integer steps, Integer restarts,
                Integer queryBudget, int examples, Double adversarialSuccessRate, Double robustAccuracy, Double meanPerturbation,
                Double maxPerturbation, Long queriesUsed, Integer medianQueriesToSuccess, Double detectionRecall,
                Double surrogateAgreement, Integer queriesToFirstFlag, double seconds) {
            this(name, type, norm, epsilon, steps, restarts, queryBudget, examples, adversarialSuccessRate, robustAccuracy,
                    meanPerturbation, maxPerturbation, queriesUsed, medianQueriesToSuccess, detectionRecall, surrogateAgreement,
                    queriesToFirstFlag, seconds, null, null, null, null);
        }

        static AttackReport skipped(AttackPlan p, String reason) {
            return new AttackReport(p.name(), p.type().name().toLowerCase(java.util.Locale.ROOT),
                    p.evasion() ? p.norm().name().toLowerCase(java.util.Locale.ROOT) : null, p.evasion() ? p.epsilon() : null, null,
                    null, null, 0, null, null, null, null, null, null, null, null, null, 0, reason, null, null, null);
        }
    }

    /** One true class's share of an attack. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClassReport(@JsonProperty("class") String className, int examples, Double adversarialSuccessRate,
            double robustAccuracy) {
    }

    /** One true class's clean accuracy. */
    public record CleanClass(@JsonProperty("class") String className, int examples, double cleanAccuracy) {
    }

    /** A sign that the numbers may overstate robustness (reason GradientMasking). */
    public record Warning(String reason, String message) {
    }

    /** The regression corpus replayed: one query per line. */
    public record CorpusReport(int examples, double adversarialSuccessRate, String sha256) {
    }

    /** Feature-squeezing threshold calibrated on this revision's answers, and its FPR on held-out images. */
    public record Calibration(double threshold, double targetFalsePositiveRate, double measuredFalsePositiveRate,
            int calibrationSamples, int heldOutSamples) {
    }

    /** Query-similarity match threshold computed on the clean images as a benign stream, and its FPR on held-out ones. */
    public record SimilarityCalibration(int matchThreshold, double targetFalsePositiveRate, double measuredFalsePositiveRate,
            int calibrationSamples, int heldOutSamples) {
    }

    /** Over the test's traffic: each clean example once, each successful adversarial example once per attack. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detection(Double precision, Double recall, double falsePositiveRate, int flaggedClean,
            int flaggedAdversarial, int successfulAdversarial) {
    }

    public record Latency(double p50Ms, double p99Ms, int requests) {
    }

    /**
     * Wall time; the part spent waiting for the target (model work plus transport); the part computing
     * white-box attacks on the local copy of the model. The rest is the tester's own work.
     */
    public record Timing(double totalSeconds, double targetSeconds, double whiteBoxSeconds) {
    }

    /** Highest success rate over the evasion attacks that ran (the number M1 SLOs compare). */
    public Double maxAdversarialSuccessRate() {
        return attacks.stream().filter(a -> a.skipped() == null).map(AttackReport::adversarialSuccessRate)
                .filter(java.util.Objects::nonNull).max(Double::compare).orElse(null);
    }

    /** The tester's part of the run's status; phase and times are the caller's. */
    public void fill(AdversarialTestRunStatus status) {
        status.samples = samples;
        status.examplesDone = samples;
        status.progress = null;
        status.cleanAccuracy = decimal(cleanAccuracy);
        status.adversarialSuccessRate = decimal(maxAdversarialSuccessRate());
        if (detection != null) {
            status.detector = new AdversarialTestRunStatus.DetectorMetrics();
            status.detector.precision = decimal(detection.precision());
            status.detector.recall = decimal(detection.recall());
            status.detector.falsePositiveRate = decimal(detection.falsePositiveRate());
        }
        if (latency != null) {
            status.latency = new AdversarialTestRunStatus.LatencyMetrics();
            status.latency.p50Ms = decimal(latency.p50Ms());
            status.latency.p99Ms = decimal(latency.p99Ms());
            status.latency.requests = latency.requests();
        }
        status.attacks = attacks.stream().map(EvaluationReport::result).toList();
        if (cleanPerClass != null) {
            status.cleanPerClass = cleanPerClass.stream().map(c -> {
                var r = new AdversarialTestRunStatus.CleanClassResult();
                r.className = c.className();
                r.examples = c.examples();
                r.cleanAccuracy = decimal(c.cleanAccuracy());
                return r;
            }).toList();
        }
        if (warnings != null && !warnings.isEmpty()) {
            status.warnings = warnings.stream().limit(32).map(w -> {
                var r = new AdversarialTestRunStatus.Warning();
                r.reason = w.reason();
                r.message = w.message();
                return r;
            }).toList();
        }
        if (corpus != null) {
            status.corpus = new AdversarialTestRunStatus.CorpusResult();
            status.corpus.examples = corpus.examples();
            status.corpus.adversarialSuccessRate = decimal(corpus.adversarialSuccessRate());
            status.corpus.sha256 = corpus.sha256();
        }
        if (certification != null) {
            var c = new AdversarialTestRunStatus.CertificationResult();
            c.sigma = decimal(certification.sigma());
            c.n0 = certification.n0();
            c.n = certification.n();
            c.alpha = decimal(certification.alpha());
            c.examples = certification.examples();
            c.abstained = certification.abstained();
            c.smoothedAccuracy = decimal(certification.smoothedAccuracy());
            c.radii = certification.radii().stream().map(r -> {
                var radius = new AdversarialTestRunStatus.CertifiedRadius();
                radius.radius = decimal(r.radius());
                radius.certifiedAccuracy = decimal(r.certifiedAccuracy());
                radius.perClass = r.perClass().stream().map(k -> {
                    var row = new AdversarialTestRunStatus.CertifiedClass();
                    row.className = k.className();
                    row.examples = k.examples();
                    row.certifiedAccuracy = decimal(k.certifiedAccuracy());
                    return row;
                }).toList();
                return radius;
            }).toList();
            status.certification = c;
        }
        if (calibration != null) {
            var fs = new AdversarialTestRunStatus.FeatureSqueezingCalibration();
            fs.threshold = decimal(calibration.threshold());
            fs.targetFalsePositiveRate = decimal(calibration.targetFalsePositiveRate());
            fs.measuredFalsePositiveRate = decimal(calibration.measuredFalsePositiveRate());
            fs.calibrationSamples = calibration.calibrationSamples();
            fs.heldOutSamples = calibration.heldOutSamples();
            status.calibration = new AdversarialTestRunStatus.Calibration();
            status.calibration.featureSqueezing = fs;
        }
        if (similarityCalibration != null) {
            var qs = new AdversarialTestRunStatus.QuerySimilarityCalibration();
            qs.matchThreshold = similarityCalibration.matchThreshold();
            qs.targetFalsePositiveRate = decimal(similarityCalibration.targetFalsePositiveRate());
            qs.measuredFalsePositiveRate = decimal(similarityCalibration.measuredFalsePositiveRate());
            qs.calibrationSamples = similarityCalibration.calibrationSamples();
            qs.heldOutSamples = similarityCalibration.heldOutSamples();
            if (status.calibration == null) {
                status.calibration = new AdversarialTestRunStatus.Calibration();
            }
            status.calibration.querySimilarity = qs;
        }
    }

    private static AdversarialTestRunStatus.AttackResult result(AttackReport a) {
        AdversarialTestRunStatus.AttackResult r = new AdversarialTestRunStatus.AttackResult();
        r.name = a.name();
        r.type = a.type();
        r.norm = a.norm();
        r.epsilon = a.epsilon() == null ? null : new BigDecimal(Float.toString(a.epsilon())).stripTrailingZeros().toPlainString();
        r.skipped = a.skipped();
        if (a.skipped() != null) {
            return r;
        }
        r.adversarialSuccessRate = decimal(a.adversarialSuccessRate());
        r.robustAccuracy = decimal(a.robustAccuracy());
        r.meanPerturbation = decimal(a.meanPerturbation());
        r.maxPerturbation = decimal(a.maxPerturbation());
        r.queriesUsed = a.queriesUsed();
        r.medianQueriesToSuccess = a.medianQueriesToSuccess();
        r.detectionRecall = decimal(a.detectionRecall());
        r.surrogateAgreement = decimal(a.surrogateAgreement());
        r.queriesToFirstFlag = a.queriesToFirstFlag();
        r.flaggedQueries = a.flaggedQueries();
        r.targeted = a.targeted();
        if (a.perClass() != null) {
            r.perClass = a.perClass().stream().map(c -> {
                var p = new AdversarialTestRunStatus.ClassResult();
                p.className = c.className();
                p.examples = c.examples();
                p.adversarialSuccessRate = decimal(c.adversarialSuccessRate());
                p.robustAccuracy = decimal(c.robustAccuracy());
                return p;
            }).toList();
        }
        return r;
    }

    /** Six decimals at most, as the API's decimal strings allow; null stays null. */
    static String decimal(Double value) {
        if (value == null || value.isNaN()) {
            return null;
        }
        return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }
}
