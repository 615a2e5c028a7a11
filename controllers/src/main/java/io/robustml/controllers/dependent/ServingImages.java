package io.robustml.controllers.dependent;

import java.util.Objects;
import java.util.Set;

/**
 * Container images of the data plane and of the analysis Job. The operator reads them from its
 * configuration ({@code robustml.images.*}, set by the Helm chart's {@code images.*}); nothing in the
 * code names a registry or a version.
 *
 * @param pullPolicy the pods' {@code imagePullPolicy}, or null for Kubernetes' default (which is
 *     IfNotPresent for a tag: a rebuilt image under the same tag is then never pulled again, so pin
 *     images by digest or say Always)
 */
public record ServingImages(String modelServer, String sidecarDetector, String tester, String pullPolicy) {
    private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");

    public ServingImages {
        Objects.requireNonNull(modelServer, "model-server image");
        Objects.requireNonNull(sidecarDetector, "sidecar-detector image");
        Objects.requireNonNull(tester, "adversarial-tester image");
        if (pullPolicy != null && !PULL_POLICIES.contains(pullPolicy)) {
            throw new IllegalArgumentException("image pull policy must be one of " + PULL_POLICIES + ", not " + pullPolicy);
        }
    }

    /** {@code <prefix>/model-server:<tag>} and its two siblings, with Kubernetes' default pull policy. */
    public static ServingImages tagged(String prefix, String tag) {
        return new ServingImages(prefix + "/model-server:" + tag, prefix + "/sidecar-detector:" + tag,
                prefix + "/adversarial-tester:" + tag, null);
    }
}
