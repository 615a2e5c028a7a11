package io.robustml.controllers;

import io.robustml.crds.RobustModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every object the operator creates carries (Kubernetes recommended labels plus ours). */
public final class Labels {
    public static final String MODEL = "robustml.io/model";
    public static final String REVISION = "robustml.io/revision";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR_NAME = "robustml-operator";

    private Labels() {
    }

    /** Labels that select the serving pods of a model; stable for the life of the Deployment. */
    public static Map<String, String> selector(RobustModel model) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", model.getMetadata().getName());
        labels.put(MODEL, model.getMetadata().getName());
        return labels;
    }

    /**
     * Labels that select the model's serving pods (every revision), and nothing else of the model:
     * the tester's pods carry the model's labels too and must never receive traffic.
     */
    public static Map<String, String> servingSelector(RobustModel model) {
        Map<String, String> labels = selector(model);
        labels.put(COMPONENT, "serving");
        return labels;
    }

    public static Map<String, String> of(RobustModel model, String component) {
        Map<String, String> labels = selector(model);
        labels.put(COMPONENT, component);
        labels.put("app.kubernetes.io/part-of", "robustml");
        labels.put(MANAGED_BY, OPERATOR_NAME);
        return labels;
    }
}
