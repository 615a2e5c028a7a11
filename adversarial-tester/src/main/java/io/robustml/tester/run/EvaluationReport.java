package io.robustml.tester.run;

import com.fasterxml.jackson.annotation.JsonInclude;
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
        Detection detection, Latency latency, List<AttackReport> attacks, Timing timing) {

    /** One attack's numbers. Perturbations are over successful examples, in the attack's norm. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttackReport(String name, String type, String norm, Float epsilon, Integer steps, Integer restarts,
            Integer queryBudget, int examples, Double adversarialSuccessRate, Double robustAccuracy, Double meanPerturbation,
            Double maxPerturbation, Long queriesUsed, Integer medianQueriesToSuccess, Double detectionRecall,
            Double surrogateAgreement, Integer queriesToFirstFlag, double seconds) {
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

    /** Highest success rate over the evasion attacks (the number M1 SLOs compare). */
    public Double maxAdversarialSuccessRate() {
        return attacks.stream().map(AttackReport::adversarialSuccessRate).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null);
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
    }

    private static AdversarialTestRunStatus.AttackResult result(AttackReport a) {
        AdversarialTestRunStatus.AttackResult r = new AdversarialTestRunStatus.AttackResult();
        r.name = a.name();
        r.type = a.type();
        r.norm = a.norm();
        r.epsilon = a.epsilon() == null ? null : new BigDecimal(Float.toString(a.epsilon())).stripTrailingZeros().toPlainString();
        r.adversarialSuccessRate = decimal(a.adversarialSuccessRate());
        r.robustAccuracy = decimal(a.robustAccuracy());
        r.meanPerturbation = decimal(a.meanPerturbation());
        r.maxPerturbation = decimal(a.maxPerturbation());
        r.queriesUsed = a.queriesUsed();
        r.medianQueriesToSuccess = a.medianQueriesToSuccess();
        r.detectionRecall = decimal(a.detectionRecall());
        r.surrogateAgreement = decimal(a.surrogateAgreement());
        r.queriesToFirstFlag = a.queriesToFirstFlag();
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
