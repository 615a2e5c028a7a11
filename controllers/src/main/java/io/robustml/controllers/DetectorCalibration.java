package io.robustml.controllers;

import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.Decimals;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.RobustModelSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Optional;

/**
 * Which calibrated detector thresholds are in force: with only a target false-positive rate in the
 * spec, the thresholds the stable revision's newest finished analysis computed for the same target —
 * feature squeezing on that revision's own clean answers (a threshold fitted to an earlier model
 * drifts), query similarity on the clean traffic of the evaluation set. A threshold written in the spec
 * always wins. Nothing calibrated yet: feature squeezing flags nothing (the sidecar only measures
 * scores), query similarity keeps its default match threshold.
 */
public final class DetectorCalibration {
    private DetectorCalibration() {
    }

    public static Optional<RobustModelStatus.DetectorCalibrationStatus> inForce(RobustModelSpec spec, String stableRevision,
            Collection<AdversarialTestRun> runs) {
        BigDecimal squeezingTarget = squeezingTarget(spec);
        BigDecimal similarityTarget = similarityTarget(spec);
        if (stableRevision == null || (squeezingTarget == null && similarityTarget == null)) {
            return Optional.empty();
        }
        return AnalysisMetrics.latestFinished(runs, stableRevision,
                r -> squeezing(r.getStatus(), squeezingTarget) != null || similarity(r.getStatus(), similarityTarget) != null)
                .map(r -> {
                    RobustModelStatus.DetectorCalibrationStatus s = new RobustModelStatus.DetectorCalibrationStatus();
                    AdversarialTestRunStatus.FeatureSqueezingCalibration fs = squeezing(r.getStatus(), squeezingTarget);
                    if (fs != null) {
                        s.featureSqueezingThreshold = Decimals.text(fs.threshold());
                        s.targetFalsePositiveRate = Decimals.text(fs.targetFalsePositiveRate());
                        s.measuredFalsePositiveRate = Decimals.text(fs.measuredFalsePositiveRate());
                    }
                    AdversarialTestRunStatus.QuerySimilarityCalibration qs = similarity(r.getStatus(), similarityTarget);
                    if (qs != null) {
                        s.querySimilarityMatchThreshold = qs.matchThreshold();
                        s.querySimilarityTargetFalsePositiveRate = Decimals.text(qs.targetFalsePositiveRate());
                        s.querySimilarityMeasuredFalsePositiveRate = Decimals.text(qs.measuredFalsePositiveRate());
                    }
                    s.revision = stableRevision;
                    s.runName = r.getMetadata().getName();
                    return s;
                });
    }

    private static BigDecimal squeezingTarget(RobustModelSpec spec) {
        DetectorSpec.FeatureSqueezingSpec s = spec.detector == null ? null : spec.detector.featureSqueezing;
        return s == null || s.threshold != null || s.targetFalsePositiveRate == null ? null : new BigDecimal(s.targetFalsePositiveRate);
    }

    private static BigDecimal similarityTarget(RobustModelSpec spec) {
        DetectorSpec.QuerySimilaritySpec s = spec.detector == null ? null : spec.detector.querySimilarity;
        return s == null || s.matchThreshold != null || s.targetFalsePositiveRate == null ? null
                : new BigDecimal(s.targetFalsePositiveRate);
    }

    /** The run's squeezing calibration when it was made for {@code target}; else null. */
    private static AdversarialTestRunStatus.FeatureSqueezingCalibration squeezing(AdversarialTestRunStatus s, BigDecimal target) {
        var c = s == null || s.calibration == null ? null : s.calibration.featureSqueezing();
        return target != null && c != null && c.threshold() != null && c.targetFalsePositiveRate() != null
                && BigDecimal.valueOf(c.targetFalsePositiveRate()).compareTo(target) == 0 ? c : null;
    }

    private static AdversarialTestRunStatus.QuerySimilarityCalibration similarity(AdversarialTestRunStatus s, BigDecimal target) {
        var c = s == null || s.calibration == null ? null : s.calibration.querySimilarity();
        return target != null && c != null && c.matchThreshold() != null && c.targetFalsePositiveRate() != null
                && BigDecimal.valueOf(c.targetFalsePositiveRate()).compareTo(target) == 0 ? c : null;
    }
}
