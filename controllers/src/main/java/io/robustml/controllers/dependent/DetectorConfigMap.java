package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.oip.detector.DetectorConfig;

/**
 * The detector's runtime settings, rendered from spec.detector for the sidecars, which reload the
 * file within seconds; changing it never restarts the pods (it is not part of the revision).
 */
public final class DetectorConfigMap {
    public static final String KEY = DetectorConfig.FILE;

    private DetectorConfigMap() {
    }

    public static String name(RobustModel model) {
        return model.getMetadata().getName() + "-detector";
    }

    public static ConfigMap desired(RobustModel model) {
        return new ConfigMapBuilder()
                .withMetadata(Owners.ownedMetadata(model, name(model), "detector"))
                .addToData(KEY, Serialization.asJson(config(model)))
                .build();
    }

    /**
     * detector.json: spec.detector mapped field by field onto the contract the sidecar reads, with the
     * stable revision's calibrated thresholds (status.detector) where the spec sets a target instead of a
     * threshold (a threshold in the spec always wins), and action block while a failed re-scan contains
     * (rollout.rescan.onFailure) or the post-promotion guard does (rollout.guard). The Secrets' names stay out: their content is mounted.
     */
    public static DetectorConfig config(RobustModel model) {
        DetectorSpec d = model.getSpec().detector == null ? new DetectorSpec() : model.getSpec().detector;
        RobustModelStatus.DetectorCalibrationStatus calibrated = model.getStatus() == null ? null : model.getStatus().detector;
        DetectorConfig.FeatureSqueezing squeezing = null;
        if (d.featureSqueezing != null) {
            String threshold = d.featureSqueezing.threshold != null ? d.featureSqueezing.threshold
                    : calibrated == null ? null : calibrated.featureSqueezingThreshold;
            squeezing = new DetectorConfig.FeatureSqueezing(decimal(threshold), decimal(d.featureSqueezing.targetFalsePositiveRate),
                    d.featureSqueezing.bitDepth, d.featureSqueezing.medianWindow);
        }
        java.util.List<DetectorConfig.Column> columns = columns(model);
        DetectorConfig.QuerySimilarity similarity = null;
        int tabular = columns.size();
        if (d.querySimilarity != null || tabular > 0) {
            var q = d.querySimilarity == null ? new DetectorSpec.QuerySimilaritySpec() : d.querySimilarity;
            Integer match = q.matchThreshold != null ? q.matchThreshold
                    : calibrated == null ? null : calibrated.querySimilarityMatchThreshold;
            // A tabular row's window comes from its length unless the spec sets one.
            Integer window = q.windowSize != null || tabular == 0 ? q.windowSize
                    : Integer.valueOf(DetectorConfig.QuerySimilarity.tabularWindow(tabular));
            similarity = new DetectorConfig.QuerySimilarity(match, window, q.quantization, decimal(q.targetFalsePositiveRate));
        }
        DetectorConfig.Detector detector = new DetectorConfig.Detector(
                d.methods == null ? null : java.util.Set.copyOf(d.methods),
                blocks(model.getSpec(), model.getStatus()) ? DetectorConfig.Action.BLOCK : d.action, squeezing, similarity,
                d.extraction == null ? null : new DetectorConfig.Extraction(decimal(d.extraction.delta)),
                d.rateLimit == null ? null : new DetectorConfig.RateLimit(d.rateLimit.requestsPerMinute, d.rateLimit.burst,
                        d.rateLimit.dailyQuota),
                d.outputHardening == null ? null : new DetectorConfig.OutputHardening(d.outputHardening.exposure,
                        d.outputHardening.topK, d.outputHardening.roundingDecimals),
                d.blockedClients == null ? null : d.blockedClients.stream()
                        .map(b -> new DetectorConfig.BlockedClient(b.apiKey, b.cidr, b.reason)).toList(),
                d.forensicLog == null ? null : new DetectorConfig.ForensicLog(d.forensicLog.enabled, d.forensicLog.retention),
                d.authentication == null ? null : new DetectorConfig.Authentication(d.authentication.apiKeysSecret != null,
                        d.authentication.anonymous, d.authentication.trustedProxies == null
                                ? null : d.authentication.trustedProxies.stream().map(p -> p.cidr).toList()),
                d.sharedStore == null ? null : new DetectorConfig.SharedStore(d.sharedStore.onFailure),
                d.fallback == null ? null : new DetectorConfig.Fallback(d.fallback.type,
                        d.fallback.service == null ? null : new DetectorConfig.Service(d.fallback.service.name,
                                d.fallback.service.port)));
        return new DetectorConfig(model.getMetadata().getName(), model.getSpec().model.labels, detector, columns, range(model),
                normalization(model), channelsLast(model));
    }

    /** model.input.layout NHWC: the sidecar transposes each row to channels first before its detectors see it. */
    static DetectorConfig.ChannelsLast channelsLast(RobustModel model) {
        var input = model.getSpec().model == null ? null : model.getSpec().model.input;
        return input == null || input.layout != io.robustml.crds.model.ModelSpec.Layout.NHWC || input.shape == null
                || input.shape.size() != 3 ? null : new DetectorConfig.ChannelsLast(input.shape.get(2));
    }

    /** model.input.normalization: the sidecar recovers the pixels of what clients send before squeezing or fingerprinting. */
    static DetectorConfig.Normalization normalization(RobustModel model) {
        var input = model.getSpec().model == null ? null : model.getSpec().model.input;
        if (input == null || input.normalization == null) {
            return null;
        }
        return new DetectorConfig.Normalization(input.normalization.mean.stream().map(DetectorConfigMap::decimal).toList(),
                input.normalization.std.stream().map(DetectorConfigMap::decimal).toList());
    }

    /**
     * model.input.range of an image input when it is not [0, 1]: the sidecar squeezes and fingerprints values scaled by
     * it (null otherwise, so the file of a [0, 1] model is as it always was).
     */
    static DetectorConfig.Column range(RobustModel model) {
        var input = model.getSpec().model == null ? null : model.getSpec().model.input;
        if (input == null || input.range == null || input.features != null) {
            return null;
        }
        double min = decimal(input.range.min);
        double max = decimal(input.range.max);
        return min == 0 && max == 1 ? null : new DetectorConfig.Column(min, max);
    }

    /** model.input.features' ranges: the sidecar scales a tabular row by them before its detectors see it. */
    static java.util.List<DetectorConfig.Column> columns(RobustModel model) {
        var input = model.getSpec().model == null ? null : model.getSpec().model.input;
        return input == null || input.features == null ? java.util.List.of() : input.features.stream()
                .map(f -> new DetectorConfig.Column(decimal(f.min), decimal(f.max))).toList();
    }

    /** Containment in force: the serving revision's sidecars block what they flag, whatever spec.detector.action says. */
    public static boolean blocks(io.robustml.crds.model.RobustModelSpec spec, RobustModelStatus status) {
        return io.robustml.controllers.rollout.RescanContainment.inForce(spec, status)
                || io.robustml.controllers.guard.PostPromotionGuard.contains(status);
    }

    /** A CRD decimal string (its schema pattern already checked it). */
    private static Double decimal(String value) {
        return value == null ? null : new java.math.BigDecimal(value).doubleValue();
    }
}
