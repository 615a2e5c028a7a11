package io.robustml.operator;

import io.robustml.controllers.dependent.ServingImages;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The configured images as the controllers' type; an unknown pull policy stops the operator at start. */
public class Images {
    @Produces
    @Singleton
    ServingImages servingImages(OperatorConfig config) {
        OperatorConfig.Images images = config.images();
        return new ServingImages(images.modelServer(), images.sidecarDetector(), images.adversarialTester(),
                images.pullPolicy().orElse(null));
    }
}
