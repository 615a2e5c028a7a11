package io.robustml.controllers.rollout;

import io.robustml.crds.run.AdversarialTestRunStatus;
import java.math.BigDecimal;

/**
 * The numbers an SLO verdict needs, parsed from a run's status (decimal strings). Anything absent,
 * unparseable or not finite is null: "missing", which a verdict never treats as good.
 */
public record RunMetrics(Integer samples, Double cleanAccuracy, Double adversarialSuccessRate, Double detectionRecall,
        Double detectionPrecision, Double latencyP99Ms) {

    public static RunMetrics of(AdversarialTestRunStatus s) {
        if (s == null) {
            return new RunMetrics(null, null, null, null, null, null);
        }
        return new RunMetrics(s.samples, number(s.cleanAccuracy), number(s.adversarialSuccessRate),
                s.detector == null ? null : number(s.detector.recall),
                s.detector == null ? null : number(s.detector.precision),
                s.latency == null ? null : number(s.latency.p99Ms));
    }

    /** The baseline a promoted revision left in its history record. */
    public static RunMetrics baseline(String cleanAccuracy, String adversarialSuccessRate) {
        return new RunMetrics(null, number(cleanAccuracy), number(adversarialSuccessRate), null, null, null);
    }

    public static Double number(String decimal) {
        if (decimal == null) {
            return null;
        }
        try {
            double v = new BigDecimal(decimal.trim()).doubleValue();
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
