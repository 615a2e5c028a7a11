package io.robustml.controllers.rollout;

import io.robustml.crds.model.SlosSpec;
import java.time.Duration;

/**
 * The parts of the spec the rollout decisions read, with defaults applied.
 *
 * @param suite               hash of the test suite (threat model and analysis data): verdicts and baselines
 *                            are only reused within one suite
 * @param rescanOnSuiteChange rollout.rescan.onSuiteChange: the stable revision is analysed again with a new suite
 * @param rescanSchedule      rollout.rescan.schedule: when it is analysed again regardless; null for none
 */
public record RolloutSettings(SlosSpec slos, int samples, Duration analysisTimeout, int retries, boolean autoRollback,
        Duration rollbackWindow, String suite, Duration progressDeadline, boolean rescanOnSuiteChange,
        RescanSchedule rescanSchedule) {
    /** rollout.progressDeadlineSeconds' default (a Deployment's too). */
    public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofSeconds(600);

    /** Without a re-scan schedule. */
    public RolloutSettings(SlosSpec slos, int samples, Duration analysisTimeout, int retries, boolean autoRollback,
            Duration rollbackWindow, String suite, Duration progressDeadline, boolean rescanOnSuiteChange) {
        this(slos, samples, analysisTimeout, retries, autoRollback, rollbackWindow, suite, progressDeadline,
                rescanOnSuiteChange, null);
    }
}
