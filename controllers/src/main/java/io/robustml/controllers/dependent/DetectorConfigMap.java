package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.RobustModelStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The detector's runtime settings, rendered from spec.detector for the sidecars, which reload the
 * file within seconds; changing it never restarts the pods (it is not part of the revision).
 */
public final class DetectorConfigMap {
    public static final String KEY = "detector.json";

    private DetectorConfigMap() {
    }

    public static String name(RobustModel model) {
        return model.getMetadata().getName() + "-detector";
    }

    public static ConfigMap desired(RobustModel model) {
        DetectorSpec detector = model.getSpec().detector == null ? new DetectorSpec() : model.getSpec().detector;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", model.getMetadata().getName());
        config.put("labels", model.getSpec().model.labels);
        @SuppressWarnings("unchecked")
        Map<String, Object> rendered = Serialization.jsonMapper().convertValue(detector, Map.class);
        if (detector.authentication != null) {
            // The sidecar sees whether keys are checked, not the Secret's name: the keys come mounted.
            DetectorSpec.AuthenticationSpec auth = detector.authentication;
            Map<String, Object> authentication = new LinkedHashMap<>();
            authentication.put("apiKeys", auth.apiKeysSecret != null);
            authentication.put("anonymous", auth.anonymous != null ? Serialization.jsonMapper().convertValue(auth.anonymous,
                    String.class) : auth.apiKeysSecret != null ? "deny" : "sourceAddress");
            authentication.put("trustedProxies", auth.trustedProxies == null ? java.util.List.of()
                    : auth.trustedProxies.stream().map(p -> p.cidr).toList());
            rendered.put("authentication", authentication);
        }
        RobustModelStatus.DetectorCalibrationStatus calibrated = model.getStatus() == null ? null : model.getStatus().detector;
        if (calibrated != null && calibrated.featureSqueezingThreshold != null && detector.featureSqueezing != null
                && detector.featureSqueezing.threshold == null) {
            // The stable revision's own calibrated threshold (status.detector); a threshold in the spec always wins.
            @SuppressWarnings("unchecked")
            Map<String, Object> squeezing = (Map<String, Object>) rendered.get("featureSqueezing");
            squeezing.put("threshold", calibrated.featureSqueezingThreshold);
        }
        if (calibrated != null && calibrated.querySimilarityMatchThreshold != null && detector.querySimilarity != null
                && detector.querySimilarity.matchThreshold == null) {
            @SuppressWarnings("unchecked")
            Map<String, Object> similarity = (Map<String, Object>) rendered.get("querySimilarity");
            similarity.put("matchThreshold", calibrated.querySimilarityMatchThreshold);
        }
        config.put("detector", rendered);
        return new ConfigMapBuilder()
                .withMetadata(Owners.ownedMetadata(model, name(model), "detector"))
                .addToData(KEY, Serialization.asJson(config))
                .build();
    }
}
