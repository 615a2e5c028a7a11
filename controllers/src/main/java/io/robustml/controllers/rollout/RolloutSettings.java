package io.robustml.controllers.rollout;

import io.robustml.crds.model.SlosSpec;
import java.time.Duration;

/**
 * The parts of the spec the rollout decisions read, with defaults applied.
 *
 * @param suite               hash of the test suite (threat model and analysis data): verdicts and baselines
 *                            are only reused within one suite
 * @param rescan              rollout.rescan: when the stable revision is analysed again, and what a failure does
 */
public record RolloutSettings(SlosSpec slos, int samples, Duration analysisTimeout, int retries, boolean autoRollback,
        Duration rollbackWindow, String suite, Duration progressDeadline, Rescans rescan) {
    /** rollout.progressDeadlineSeconds' default (a Deployment's too). */
    public static final Duration DEFAULT_PROGRESS_DEADLINE =
            Duration.ofSeconds(Long.parseLong(io.robustml.crds.model.RolloutSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS));

    /** With rollout.rescan.onSuiteChange only (no schedule, a failure alerts). */
    public RolloutSettings(SlosSpec slos, int samples, Duration analysisTimeout, int retries, boolean autoRollback,
            Duration rollbackWindow, String suite, Duration progressDeadline, boolean rescanOnSuiteChange) {
        this(slos, samples, analysisTimeout, retries, autoRollback, rollbackWindow, suite, progressDeadline,
                new Rescans(rescanOnSuiteChange, null, false));
    }

    /**
     * rollout.rescan with its defaults applied.
     *
     * @param onSuiteChange analyse the stable revision again with a new suite
     * @param schedule      when to analyse it again regardless; null for none
     * @param contain       a failed re-scan also switches the detector action to block (onFailure: contain)
     */
    public record Rescans(boolean onSuiteChange, RescanSchedule schedule, boolean contain) {
    }
}
