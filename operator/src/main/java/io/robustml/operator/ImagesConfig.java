package io.robustml.operator;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * The images the operator puts into the pods it creates ({@code robustml.images.*}; the Helm chart
 * sets them from {@code images.*} as ROBUSTML_IMAGES_* variables). Each is a full reference,
 * {@code registry/repository:tag} or {@code …@sha256:…}.
 */
@ConfigMapping(prefix = "robustml.images")
public interface ImagesConfig {
    /** The model server container of every serving pod (unless spec.serving.image replaces it). */
    String modelServer();

    /** The detector sidecar container of every serving pod. */
    String sidecarDetector();

    /** The analysis Job's container. */
    String adversarialTester();

    /** imagePullPolicy of those containers; absent: Kubernetes' default for the reference. */
    Optional<String> pullPolicy();
}
