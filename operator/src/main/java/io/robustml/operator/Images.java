package io.robustml.operator;

import io.robustml.controllers.dependent.ServingImages;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The configured images as the controllers' type; an unknown pull policy stops the operator at start. */
public class Images {
    @Produces
    @Singleton
    ServingImages servingImages(ImagesConfig config) {
        return new ServingImages(config.modelServer(), config.sidecarDetector(), config.adversarialTester(),
                config.pullPolicy().orElse(null));
    }
}
