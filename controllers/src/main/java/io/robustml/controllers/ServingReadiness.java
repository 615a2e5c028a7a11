package io.robustml.controllers;

import io.robustml.controllers.status.Reasons;

/**
 * Whether the serving Deployment is Ready, as a pure function of its observed numbers: every desired
 * replica updated and available, and the Deployment controller has seen the current template.
 */
public record ServingReadiness(boolean ready, String reason, String message) {

    public static ServingReadiness of(int desiredReplicas, Integer availableReplicas, Integer updatedReplicas,
            Long deploymentGeneration, Long deploymentObservedGeneration) {
        if (deploymentGeneration == null) {
            return new ServingReadiness(false, Reasons.DEPLOYMENT_PENDING, "the serving Deployment does not exist yet");
        }
        if (deploymentObservedGeneration == null || deploymentObservedGeneration < deploymentGeneration) {
            return new ServingReadiness(false, Reasons.DEPLOYMENT_PROGRESSING,
                    "the Deployment controller has not yet observed the current pod template");
        }
        int available = availableReplicas == null ? 0 : availableReplicas;
        int updated = updatedReplicas == null ? 0 : updatedReplicas;
        if (updated < desiredReplicas || available < desiredReplicas) {
            return new ServingReadiness(false, Reasons.PODS_NOT_READY, String.format(
                    "%d of %d serving pods available (%d updated)", available, desiredReplicas, updated));
        }
        return new ServingReadiness(true, Reasons.SERVING,
                String.format("%d of %d serving pods available", available, desiredReplicas));
    }
}
