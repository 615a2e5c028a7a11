package io.robustml.controllers.dependent;

/** Container images of the data plane and of the analysis Job; set by the operator's configuration. */
public record ServingImages(String modelServer, String sidecarDetector, String tester) {
    public static final ServingImages DEFAULTS = new ServingImages("robustml/model-server:0.1.0",
            "robustml/sidecar-detector:0.1.0", "robustml/adversarial-tester:0.1.0");
}
