package io.robustml.controllers;

import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.RobustModelSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Optional;

/**
 * Which calibrated feature-squeezing threshold is in force: with only a target false-positive rate in
 * the spec, the threshold the stable revision's newest finished analysis computed on that revision's
 * own clean answers, for the same target (a threshold fitted to an earlier model drifts). A threshold
 * written in the spec always wins; nothing calibrated yet means nothing is flagged (the sidecar only
 * measures scores), as before.
 */
public final class DetectorCalibration {
    private DetectorCalibration() {
    }

    public static Optional<RobustModelStatus.DetectorCalibrationStatus> inForce(RobustModelSpec spec, String stableRevision,
            Collection<AdversarialTestRun> runs) {
        DetectorSpec.FeatureSqueezingSpec squeezing = spec.detector == null ? null : spec.detector.featureSqueezing;
        if (stableRevision == null || squeezing == null || squeezing.threshold != null
                || squeezing.targetFalsePositiveRate == null) {
            return Optional.empty();
        }
        BigDecimal target = new BigDecimal(squeezing.targetFalsePositiveRate);
        return AnalysisMetrics.latestFinished(runs, stableRevision, r -> {
            AdversarialTestRunStatus.FeatureSqueezingCalibration c = calibration(r.getStatus());
            return c != null && c.threshold != null && c.targetFalsePositiveRate != null
                    && new BigDecimal(c.targetFalsePositiveRate).compareTo(target) == 0;
        }).map(r -> {
            AdversarialTestRunStatus.FeatureSqueezingCalibration c = calibration(r.getStatus());
            RobustModelStatus.DetectorCalibrationStatus s = new RobustModelStatus.DetectorCalibrationStatus();
            s.featureSqueezingThreshold = c.threshold;
            s.targetFalsePositiveRate = c.targetFalsePositiveRate;
            s.measuredFalsePositiveRate = c.measuredFalsePositiveRate;
            s.revision = stableRevision;
            s.runName = r.getMetadata().getName();
            return s;
        });
    }

    private static AdversarialTestRunStatus.FeatureSqueezingCalibration calibration(AdversarialTestRunStatus s) {
        return s == null || s.calibration == null ? null : s.calibration.featureSqueezing;
    }
}
