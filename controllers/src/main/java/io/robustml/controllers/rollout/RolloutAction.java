package io.robustml.controllers.rollout;

/** Side effects a decision asks for; the reconciler carries them out after recording the status. */
public sealed interface RolloutAction {

    /**
     * Create (if absent) the AdversarialTestRun and Job of this attempt; the run carries {@code identity}
     * ({@link RolloutPlanner#identity}), by which the planner knows it as its own.
     */
    record StartAnalysis(String runName, String revision, int attempt, String identity) implements RolloutAction {
    }

    /** Create (if absent) the run and Job analysing the stable revision again with the current suite (rollout.rescan). */
    record StartRescan(String runName, String revision, String identity) implements RolloutAction {
    }

    /** Create (if absent) the run and Job measuring the stable revision as the baseline for relative SLOs. */
    record StartBaseline(String runName, String revision, String identity) implements RolloutAction {
    }

    /**
     * The verdict on the run it was computed from, in the run's status ({@code kubectl get adversarialtestruns}
     * shows it): the model's status stays the record the rollout follows.
     */
    record RecordVerdict(String runName, String verdict, java.util.List<String> violatedSlos) implements RolloutAction {
    }

    /** A Kubernetes event on the RobustModel. */
    record Event(boolean warning, String reason, String message) implements RolloutAction {
    }
}
