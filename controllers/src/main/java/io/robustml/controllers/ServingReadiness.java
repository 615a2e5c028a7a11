package io.robustml.controllers;

/**
 * Whether the serving Deployment is Ready, as a pure function of its observed numbers: every desired
 * replica updated and available, and the Deployment controller has seen the current template.
 */
public record ServingReadiness(boolean ready, String reason, String message) {

    public static ServingReadiness of(int desiredReplicas, Integer availableReplicas, Integer updatedReplicas,
            Long deploymentGeneration, Long deploymentObservedGeneration) {
        if (deploymentGeneration == null) {
            return new ServingReadiness(false, "DeploymentPending", "the serving Deployment does not exist yet");
        }
        if (deploymentObservedGeneration == null || deploymentObservedGeneration < deploymentGeneration) {
            return new ServingReadiness(false, "DeploymentProgressing",
                    "the Deployment controller has not yet observed the current pod template");
        }
        int available = availableReplicas == null ? 0 : availableReplicas;
        int updated = updatedReplicas == null ? 0 : updatedReplicas;
        if (updated < desiredReplicas || available < desiredReplicas) {
            return new ServingReadiness(false, "PodsNotReady", String.format(
                    "%d of %d serving pods available (%d updated)", available, desiredReplicas, updated));
        }
        return new ServingReadiness(true, "Serving",
                String.format("%d of %d serving pods available", available, desiredReplicas));
    }
}
