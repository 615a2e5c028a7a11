package io.robustml.controllers.status;

/**
 * Every reason the operator writes into a RobustModel's conditions and events for its rollout, in one
 * place (runbooks and alerts match on them). Serving problems have theirs in {@link ServingProblem}.
 */
public final class Reasons {
    /** A canary (or the first revision) broke a robustness SLO: rolled back, or held with autoRollback false. */
    public static final String ROBUSTNESS_REGRESSION = "RobustnessRegression";
    /** The analysis gave no verdict (tester error, Job failure, timeout, progress deadline); retried, then rolled back. */
    public static final String ANALYSIS_INCONCLUSIVE = "AnalysisInconclusive";
    /** A human aborted the canary (robustml.io/abort). */
    public static final String ABORTED = "Aborted";
    /** robustml.io/abort was set with no canary to abort. */
    public static final String ABORT_IGNORED = "AbortIgnored";
    /** robustml.io/retry: a rejected revision is analysed again. */
    public static final String RETRY = "Retry";
    /** A revision became stable after a Passed analysis. */
    public static final String PROMOTED = "Promoted";
    /** A revision became stable without a passed analysis (robustml.io/promote); also its history verdict. */
    public static final String PROMOTED_MANUALLY = "PromotedManually";
    /** A canary dropped for another revision, or because the spec names stable again. */
    public static final String CANARY_SUPERSEDED = "CanarySuperseded";
    /** A run of the expected name was not made by this attempt: never judged, the next name is used. */
    public static final String RUN_NAME_COLLISION = "RunNameCollision";
    /** The first revision gets no client traffic until it passes. */
    public static final String TRAFFIC_WITHHELD = "TrafficWithheld";
    /** The stable revision is measured as the baseline for relative SLOs. */
    public static final String BASELINE_STARTED = "BaselineStarted";
    /** That baseline measurement finished. */
    public static final String BASELINE_MEASURED = "BaselineMeasured";
    /** A run's warning without a reason of its own (e.g. gradient masking suspected). */
    public static final String ANALYSIS_WARNING = "AnalysisWarning";
    /** Condition reason: the last analysis passed with warnings. */
    public static final String ROBUSTNESS_WARNING = "RobustnessWarning";
    /** Condition reason: the last analysis had no warnings. */
    public static final String NO_WARNINGS = "NoWarnings";
    /** Ready condition: a passed revision serves. */
    public static final String SERVING = "Serving";
    /** Progressing condition: the canary is under analysis. */
    public static final String ANALYZING = "Analyzing";
    /** Progressing condition: the canary's pods are starting. */
    public static final String CANARY_STARTING = "CanaryStarting";
    /** Progressing condition: nothing in progress. */
    public static final String STABLE = "Stable";
    /** Progressing condition: the spec names a rejected revision; stable serves. */
    public static final String ROLLED_BACK = "RolledBack";
    /** Progressing condition: a failed canary waits for robustml.io/abort or robustml.io/promote. */
    public static final String AWAITING_DECISION = "AwaitingDecision";
    /** Ready condition: the first revision failed; nothing serves. */
    public static final String ANALYSIS_FAILED = "AnalysisFailed";
    /** Degraded condition: nothing is wrong. */
    public static final String AS_EXPECTED = "AsExpected";
    /** Ready condition: the stable revision's pods are not all Ready. */
    public static final String PODS_NOT_READY = "PodsNotReady";
    /** Serving readiness: the serving Deployment is rolling out. */
    public static final String DEPLOYMENT_PROGRESSING = "DeploymentProgressing";
    /** Serving readiness: the serving Deployment does not exist yet. */
    public static final String DEPLOYMENT_PENDING = "DeploymentPending";

    /** The stable revision is analysed again: a new suite or its schedule (rollout.rescan). */
    public static final String RESCAN_STARTED = "RescanStarted";
    /** That re-scan met the SLOs. */
    public static final String RESCAN_PASSED = "RescanPassed";
    /** That re-scan violated an SLO: Degraded condition and Warning event; stable keeps serving. */
    public static final String RESCAN_FAILED = "RescanFailed";
    /** rollout.rescan.onFailure contain: the failed re-scan switched every sidecar's detector action to block. */
    public static final String RESCAN_CONTAINED = "RescanContained";
    /** That re-scan gave no verdict. */
    public static final String RESCAN_INCONCLUSIVE = "RescanInconclusive";
    /** rollout.rescan.schedule passed the CRD's pattern but is not a schedule (a range written backwards): no scheduled re-scans. */
    /** robustml.io/rescan could not start one: no stable revision, a canary under analysis, or one already running. */
    public static final String RESCAN_IGNORED = "RescanIgnored";
    public static final String INVALID_RESCAN_SCHEDULE = "InvalidRescanSchedule";
    /** rollout.guard (post-promotion guard): a window pair burns, action alert. */
    public static final String GUARD_BURNING = "GuardBurning";
    /** rollout.guard: a window pair burns and the serving revision's sidecars block what they flag. */
    public static final String GUARD_CONTAINED = "GuardContained";
    /** rollout.guard: the previous stable revision is scaled up to take over. */
    public static final String GUARD_ROLLING_BACK = "GuardRollingBack";
    /** rollout.guard: the previous stable revision serves again; the one that burned is rejected. */
    public static final String GUARD_ROLLED_BACK = "GuardRolledBack";
    /** rollout.guard: action rollback, but no revision can be rolled back to (it contains instead). */
    public static final String GUARD_ROLLBACK_UNAVAILABLE = "GuardRollbackUnavailable";
    /** rollout.guard: the rates fell back under their bounds; whatever the guard did is lifted. */
    public static final String GUARD_QUIET = "GuardQuiet";

    private Reasons() {
    }
}
