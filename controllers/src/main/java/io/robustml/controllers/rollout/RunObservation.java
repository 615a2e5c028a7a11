package io.robustml.controllers.rollout;

import io.robustml.crds.run.AdversarialTestRunStatus;

/**
 * What the operator sees of the current attempt: the run's status (null if the run does not exist),
 * whether its Job has failed for good (with the reason), as Kubernetes reports it, the identity the
 * run carries (annotation {@code robustml.io/analysis}; null on a run made by something else), and
 * whether its Job is missing (an operator stopped between creating the run and its Job).
 */
public record RunObservation(boolean runExists, AdversarialTestRunStatus runStatus, String jobFailure, String identity,
        boolean jobMissing) {
    public RunObservation(boolean runExists, AdversarialTestRunStatus runStatus, String jobFailure, String identity) {
        this(runExists, runStatus, jobFailure, identity, false);
    }

    public static RunObservation absent() {
        return new RunObservation(false, null, null, null);
    }

    public String phase() {
        return runStatus == null ? null : runStatus.phase;
    }
}
