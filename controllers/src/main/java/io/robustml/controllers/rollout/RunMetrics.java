package io.robustml.controllers.rollout;

import io.robustml.crds.run.AdversarialTestRunStatus;

/**
 * The numbers an SLO verdict needs, from a run's status. Anything absent, unreadable or not finite is null
 * (see {@link io.robustml.crds.Decimal}): "missing", which a verdict never treats as good.
 */
public record RunMetrics(Integer samples, Double cleanAccuracy, Double adversarialSuccessRate, Double detectionRecall,
        Double detectionPrecision, Double latencyP99Ms) {

    public static RunMetrics of(AdversarialTestRunStatus s) {
        if (s == null) {
            return new RunMetrics(null, null, null, null, null, null);
        }
        return new RunMetrics(s.samples, s.cleanAccuracy, s.adversarialSuccessRate,
                s.detector == null ? null : s.detector.recall(),
                s.detector == null ? null : s.detector.precision(),
                s.latency == null ? null : s.latency.p99Ms());
    }

    /** The baseline a promoted revision left in its history record. */
    public static RunMetrics baseline(String cleanAccuracy, String adversarialSuccessRate) {
        return new RunMetrics(null, io.robustml.crds.Decimals.value(cleanAccuracy),
                io.robustml.crds.Decimals.value(adversarialSuccessRate), null, null, null);
    }
}
