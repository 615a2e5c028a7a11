package io.robustml.controllers.rollout;

import io.robustml.crds.run.AdversarialTestRunStatus;

/**
 * What the operator sees of the current attempt: the run's status (null if the run does not exist),
 * whether its Job has failed for good (with the reason), as Kubernetes reports it, and the identity the
 * run carries (annotation {@code robustml.io/analysis}; null on a run made by something else).
 */
public record RunObservation(boolean runExists, AdversarialTestRunStatus runStatus, String jobFailure, String identity) {
    public static RunObservation absent() {
        return new RunObservation(false, null, null, null);
    }

    public String phase() {
        return runStatus == null ? null : runStatus.phase;
    }
}
