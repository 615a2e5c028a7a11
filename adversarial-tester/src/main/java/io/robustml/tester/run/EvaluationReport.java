package io.robustml.tester.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.robustml.crds.Decimal;
import io.robustml.crds.run.AdversarialTestRunStatus.AttackResult;
import io.robustml.crds.run.AdversarialTestRunStatus.Calibration;
import io.robustml.crds.run.AdversarialTestRunStatus.CertificationResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CleanClassResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CorpusResult;
import io.robustml.crds.run.AdversarialTestRunStatus.DetectorMetrics;
import io.robustml.crds.run.AdversarialTestRunStatus.LatencyMetrics;
import io.robustml.crds.run.AdversarialTestRunStatus.Warning;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.List;

/**
 * Everything one evaluation measured: written as the JSON report file and, all but the timing and the
 * target's identity, into the run's status. Its parts are the status's own records (one type each, numbers
 * as numbers; the API carries them as decimal strings). Rates are fractions in [0, 1]; a null means "not
 * measured" (e.g. no verdicts visible), never 0.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(String model, String revision, String endpoint, int samples, @Decimal Double cleanAccuracy,
        DetectorMetrics detection, LatencyMetrics latency, List<AttackResult> attacks, Timing timing,
        List<CleanClassResult> cleanPerClass, List<Warning> warnings, CorpusResult corpus, Calibration calibration,
        CertificationResult certification) {

    public EvaluationReport(String model, String revision, String endpoint, int samples, double cleanAccuracy,
            DetectorMetrics detection, LatencyMetrics latency, List<AttackResult> attacks, Timing timing) {
        this(model, revision, endpoint, samples, cleanAccuracy, detection, latency, attacks, timing, null, null, null, null, null);
    }

    /**
     * Wall time; the part spent waiting for the target (model work plus transport); the part computing
     * white-box attacks on the local copy of the model. The rest is the tester's own work.
     */
    public record Timing(@Decimal Double totalSeconds, @Decimal Double targetSeconds, @Decimal Double whiteBoxSeconds) {
    }

    /** Highest success rate over the evasion attacks that ran (the number M1 SLOs compare). */
    public Double maxAdversarialSuccessRate() {
        return attacks.stream().filter(a -> a.skipped() == null).map(AttackResult::adversarialSuccessRate)
                .filter(java.util.Objects::nonNull).max(Double::compare).orElse(null);
    }

    /** The tester's part of the run's status; phase and times are the caller's. */
    public void fill(AdversarialTestRunStatus status) {
        status.samples = samples;
        status.examplesDone = samples;
        status.progress = null;
        status.cleanAccuracy = cleanAccuracy;
        status.adversarialSuccessRate = maxAdversarialSuccessRate();
        status.detector = detection;
        status.latency = latency;
        status.attacks = attacks;
        status.cleanPerClass = cleanPerClass;
        status.warnings = warnings == null || warnings.isEmpty() ? null : warnings.stream().limit(32).toList();
        status.corpus = corpus;
        status.certification = certification;
        status.calibration = calibration;
    }

    /** An attack that was not run, and why. */
    static AttackResult skipped(AttackPlan p, String reason) {
        return AttackResult.skipped(p.name(), p.type().name().toLowerCase(java.util.Locale.ROOT),
                p.evasion() ? p.norm().name().toLowerCase(java.util.Locale.ROOT) : null, p.evasion() ? epsilon(p.epsilon()) : null,
                reason);
    }

    /** A float budget as the decimal it was written as (0.1f is 0.1, not 0.10000000149). */
    static Double epsilon(float epsilon) {
        return Double.valueOf(Float.toString(epsilon));
    }
}
