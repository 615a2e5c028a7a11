package io.robustml.controllers.rollout;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.status.Phase;
import io.robustml.controllers.status.Reasons;
import io.robustml.crds.model.RobustModelStatus.AnalysisProgress;
import io.robustml.crds.model.RobustModelStatus.AnalysisSummary;
import io.robustml.crds.model.RobustModelStatus.RevisionRecord;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * The rollout state machine (DESIGN §3) as a pure function: from the previous status and what was
 * observed, the next status and the side effects to carry out. Every decision is in the returned
 * status before any side effect happens, so an operator restarted anywhere resumes the same way;
 * run names are deterministic, so a resumed attempt never creates a second run.
 */
public final class RolloutPlanner {
    static final int HISTORY_LIMIT = RobustModelStatus.HISTORY_LIMIT;
    /** History verdict of a stable revision measured as a baseline; a failed measurement is {@code BaselineUnavailable}. */
    public static final String BASELINE = "Baseline";
    public static final String BASELINE_UNAVAILABLE = "BaselineUnavailable";
    /** History verdicts of a re-scan of the stable revision with a new suite (rollout.rescan). */
    public static final String RESCANNED = "Rescanned";
    public static final String RESCAN_FAILED = "RescanFailed";
    public static final String RESCAN_INCONCLUSIVE = "RescanInconclusive";
    /** History verdict of a serving revision the post-promotion guard rolled back (rollout.guard). */
    public static final String GUARD_ROLLED_BACK = Reasons.GUARD_ROLLED_BACK;

    private RolloutPlanner() {
    }

    /** The next status and actions. */
    public record Decision(RobustModelStatus status, List<RolloutAction> actions) {
    }

    /**
     * @param model        the RobustModel's name (run names derive from it)
     * @param desired      the revision the spec names
     * @param modelSha256  the spec's model digest (recorded in history)
     * @param desiredReady whether the desired revision's pods are all Ready
     * @param run          the current attempt's run and Job, as observed
     */
    public static Decision decide(String model, String desired, String modelSha256, RobustModelStatus previous,
            boolean desiredReady, RunObservation run, Requests requests, RolloutSettings settings, Instant now) {
        return decide(model, desired, modelSha256, previous, desiredReady, run, RunObservation.absent(), requests, settings,
                now);
    }

    /**
     * As above, with the stable revision's baseline run ({@code status.analysis.baselineRunName}) and its
     * Job as observed: when no baseline exists for (stable revision, suite) and the SLOs have relative
     * bounds, the canary's analysis also measures the stable revision, and its verdict waits for that.
     */
    public static Decision decide(String model, String desired, String modelSha256, RobustModelStatus previous,
            boolean desiredReady, RunObservation run, RunObservation baselineRun, Requests requests,
            RolloutSettings settings, Instant now) {
        return decide(model, desired, modelSha256, previous, desiredReady, run, baselineRun, RunObservation.absent(), requests,
                settings, now);
    }

    /**
     * As above, with the stable revision's re-scan run ({@code status.rescan.runName}) as observed: with
     * {@code rollout.rescan.onSuiteChange}, a stable revision not yet judged with the current suite is
     * analysed again, without a rollout.
     */
    public static Decision decide(String model, String desired, String modelSha256, RobustModelStatus previous,
            boolean desiredReady, RunObservation run, RunObservation baselineRun, RunObservation rescanRun, Requests requests,
            RolloutSettings settings, Instant now) {
        Step step = new Step(copy(previous), now);
        RobustModelStatus s = step.status;
        if (s.handledRequests == null) {
            s.handledRequests = new HashMap<>();
        }

        // Human requests first, each handled once.
        if (isNew(s, Requests.ABORT, requests.abort())) {
            s.handledRequests.put(Requests.ABORT, requests.abort());
            if (s.canaryRevision != null) {
                step.reject(s.canaryRevision, Reasons.ABORTED, "analysis aborted by " + Requests.ABORT + "=" + requests.abort(),
                        null, settings.suite());
                return step.done();
            }
            step.event(false, Reasons.ABORT_IGNORED, "nothing to abort: no canary (" + Requests.ABORT + "=" + requests.abort() + ")");
        }
        if (isNew(s, Requests.RETRY, requests.retry())) {
            s.handledRequests.put(Requests.RETRY, requests.retry());
            if (desired.equals(s.rejectedRevision)) {
                s.rejectedRevision = null;
                step.event(false, Reasons.RETRY, "analysing rejected revision " + desired + " again ("
                        + Requests.RETRY + "=" + requests.retry() + ")");
            }
        }
        if (isNew(s, Requests.PROMOTE, requests.promote())) {
            s.handledRequests.put(Requests.PROMOTE, requests.promote());
            if (!desired.equals(s.stableRevision)) {
                step.promote(desired, modelSha256, Reasons.PROMOTED_MANUALLY, null, settings.suite(),
                        "revision " + desired + " promoted WITHOUT a passed analysis, as asked by " + Requests.PROMOTE + "="
                                + requests.promote());
                return step.done();
            }
        }

        String rescanAsked = null;
        if (isNew(s, Requests.RESCAN, requests.rescan())) {
            s.handledRequests.put(Requests.RESCAN, requests.rescan());
            String value = Requests.RESCAN + "=" + requests.rescan();
            if (s.stableRevision == null) {
                step.event(false, Reasons.RESCAN_IGNORED, "no stable revision to re-scan (" + value + ")");
            } else if (!desired.equals(s.stableRevision)) {
                step.event(false, Reasons.RESCAN_IGNORED, "revision " + desired + " is being rolled out and analysed with the "
                        + "current suite; stable revision " + s.stableRevision + " is not re-scanned meanwhile (" + value + ")");
            } else if (s.rescan != null && s.stableRevision.equals(s.rescan.revision)) {
                step.event(false, Reasons.RESCAN_IGNORED, "re-scan " + s.rescan.runName + " is running (" + value + ")");
            } else {
                rescanAsked = value;
            }
        }

        if (desired.equals(s.stableRevision)) {
            if (s.canaryRevision != null) {
                step.event(false, Reasons.CANARY_SUPERSEDED, "canary " + s.canaryRevision + " dropped: the spec names the stable revision "
                        + desired + " again");
            }
            s.canaryRevision = null;
            s.analysis = null;
            s.phase = Phase.READY.wire();
            followRescan(step, model, modelSha256, rescanRun, settings, rescanAsked);
            return step.done();
        }
        s.rescan = null; // a canary is analysed with the current suite anyway; its run, if any, ages out
        if (desired.equals(s.rejectedRevision)) {
            s.canaryRevision = null;
            s.analysis = null;
            s.phase = s.stableRevision == null ? Phase.FAILED.wire() : Phase.DEGRADED.wire();
            return step.done();
        }

        if (s.canaryRevision != null && !s.canaryRevision.equals(desired)) {
            step.event(false, Reasons.CANARY_SUPERSEDED, "canary " + s.canaryRevision + " replaced by revision " + desired
                    + " before its analysis finished");
            s.analysis = null;
        }
        Optional<RevisionRecord> recent = recentPass(s, desired, settings, now);
        if (recent.isPresent()) {
            RevisionRecord r = recent.get();
            step.promote(desired, modelSha256, "Passed", null, settings.suite(), "revision " + desired
                    + " promoted again without a new analysis: it passed " + r.runName + " at " + r.at
                    + " with the same suite, within the rollback window");
            return step.done();
        }

        s.canaryRevision = desired;
        s.phase = Phase.PROGRESSING.wire();
        if (s.analysis == null || !desired.equals(s.analysis.revision)) {
            s.analysis = new AnalysisProgress();
            s.analysis.revision = desired;
            s.analysis.attempt = 1;
            s.analysis.runName = runName(model, desired, priorAnalyses(s, desired) + 1);
            s.analysis.progressingSince = now.toString();
            if (s.stableRevision == null) {
                step.event(false, Reasons.TRAFFIC_WITHHELD, "revision " + desired + " has no passed analysis yet: the model's "
                        + "Service and route send it no client traffic until it passes");
            }
        }
        AnalysisProgress a = s.analysis;
        if (Boolean.TRUE.equals(a.held)) {
            return step.done(); // a failed verdict waits for a human (autoRollback: false)
        }
        if (!desiredReady) {
            if (a.startedAt == null) { // no run yet: the pods have until the progress deadline
                if (a.progressingSince == null) {
                    a.progressingSince = now.toString(); // an attempt recorded before the deadline existed
                } else if (Duration.between(Instant.parse(a.progressingSince), now).compareTo(settings.progressDeadline()) > 0) {
                    step.inconclusive(a, "its pods were not all Ready within " + settings.progressDeadline().toSeconds()
                            + " s (rollout.progressDeadlineSeconds)", model, settings);
                }
            }
            return step.done();
        }
        boolean baselineOpen = followBaseline(step, a, model, baselineRun, settings);
        if (run.runExists() && (a.startedAt == null || !identity(settings.suite(), a.startedAt).equals(run.identity()))) {
            // Not made by this attempt (a name freed by a trimmed history, another suite): never judged.
            String taken = a.runName;
            a.runName = runName(model, desired, ordinal(taken, "-a") + 1);
            a.startedAt = null;
            step.event(true, Reasons.RUN_NAME_COLLISION, "run " + taken + " exists but was not created by this analysis of revision "
                    + desired + " with this suite; it is not judged: the analysis continues as " + a.runName);
            return step.done();
        }
        if (run.runExists() && run.jobMissing() && run.phase() == null) {
            // Ours, but its Job was never made (the operator stopped in between): ask again, create-if-absent.
            step.actions.add(new RolloutAction.StartAnalysis(a.runName, desired, a.attempt, identity(settings.suite(), a.startedAt)));
        }
        if (!run.runExists()) {
            if (a.startedAt == null) {
                a.startedAt = now.toString();
            } else if (timedOut(a, settings, now)) {
                step.inconclusive(a, "no result within " + settings.analysisTimeout().toSeconds() + " s (the run is gone)",
                        model, settings);
                return step.done();
            }
            step.actions.add(new RolloutAction.StartAnalysis(a.runName, desired, a.attempt, identity(settings.suite(), a.startedAt)));
            return step.done();
        }
        if ("Succeeded".equals(run.phase())) {
            if (baselineOpen) {
                return step.done(); // the verdict waits for the stable baseline (bounded by its own timeout)
            }
            String noBaseline = a.baselineUnavailable == null ? null
                    : "stable's baseline could not be measured: " + a.baselineUnavailable;
            Verdict verdict = SloVerdict.judge(settings.slos(), RunMetrics.of(run.runStatus()), baseline(s, settings),
                    settings.samples(), noBaseline, RunDetails.of(run.runStatus()));
            String summaryText = verdict.summary() + (noBaseline != null && verdict.outcome() != Verdict.Outcome.PASSED
                    ? "; relative SLOs not applicable (" + noBaseline + ")" : "");
            // Never silently ignored: each sign that the numbers overstate robustness is a Warning event.
            if (run.runStatus().warnings != null) {
                run.runStatus().warnings.stream().limit(5).forEach(w -> step.event(true, w.reason() == null ? Reasons.ANALYSIS_WARNING
                        : w.reason(), "analysis " + a.runName + " of revision " + desired + ": " + w.message()));
            }
            step.actions.add(new RolloutAction.RecordVerdict(a.runName, verdict.outcome().toString(), verdict.violations()));
            switch (verdict.outcome()) {
                case PASSED -> step.promote(desired, modelSha256, "Passed", withVerdict(run.runStatus(), a, verdict, now),
                        settings.suite(), "revision " + desired + " promoted: " + summaryText);
                case FAILED -> {
                    AnalysisSummary summary = withVerdict(run.runStatus(), a, verdict, now);
                    if (settings.autoRollback()) {
                        step.reject(desired, Reasons.ROBUSTNESS_REGRESSION, "revision " + desired + " rolled back: "
                                + summaryText, summary, settings.suite());
                    } else {
                        s.lastAnalysis = summary;
                        a.held = true;
                        s.phase = Phase.DEGRADED.wire();
                        step.event(true, Reasons.ROBUSTNESS_REGRESSION, "revision " + desired + " failed its analysis ("
                                + summaryText + "); autoRollback is false: set " + Requests.ABORT + " or "
                                + Requests.PROMOTE);
                    }
                }
                case INCONCLUSIVE -> step.inconclusive(a, summaryText, model, settings);
            }
            return step.done();
        }
        if ("Failed".equals(run.phase())) {
            String error = run.runStatus().error == null ? "no reason given" : run.runStatus().error;
            step.inconclusive(a, "the tester could not measure: " + error, model, settings);
        } else if (run.jobFailure() != null) {
            step.inconclusive(a, "the analysis Job failed: " + run.jobFailure(), model, settings);
        } else if (timedOut(a, settings, now)) {
            step.inconclusive(a, "no result within " + settings.analysisTimeout().toSeconds() + " s", model, settings);
        }
        return step.done();
    }

    /**
     * Starts or follows the stable revision's baseline run of this analysis. Started with the canary's
     * first run when the SLOs have relative bounds and no baseline exists for (stable revision, suite);
     * recorded in status before it is created. Ends measured (a {@code Baseline} history record, which
     * later canaries reuse) or unavailable (failed, Job failed, timed out, incomplete numbers: the
     * canary is then judged without it and the verdict says so).
     *
     * @return true while the baseline is still being measured (the canary's verdict waits)
     */
    private static boolean followBaseline(Step step, AnalysisProgress a, String model, RunObservation baselineRun,
            RolloutSettings settings) {
        RobustModelStatus s = step.status;
        if (a.baselineRunName == null) {
            if (a.baselineUnavailable != null || s.stableRevision == null || !hasRelativeSlos(settings)
                    || baseline(s, settings) != null) {
                return false;
            }
            a.baselineRevision = s.stableRevision;
            a.baselineRunName = baselineRunName(model, s.stableRevision, priorBaselines(s, s.stableRevision) + 1);
            a.baselineStartedAt = step.now.toString();
            step.event(false, Reasons.BASELINE_STARTED, "no baseline of stable revision " + s.stableRevision
                    + " for this suite: measuring it with " + a.baselineRunName + " beside canary " + a.revision);
            step.actions.add(new RolloutAction.StartBaseline(a.baselineRunName, a.baselineRevision,
                    identity(settings.suite(), a.baselineStartedAt)));
            return true;
        }
        if (baselineRun.runExists() && !identity(settings.suite(), a.baselineStartedAt).equals(baselineRun.identity())) {
            String taken = a.baselineRunName;
            a.baselineRunName = baselineRunName(model, a.baselineRevision, ordinal(taken, "-b") + 1);
            a.baselineStartedAt = step.now.toString();
            step.event(true, Reasons.RUN_NAME_COLLISION, "baseline run " + taken + " exists but was not created by this analysis; "
                    + "it is not used: the baseline is measured by " + a.baselineRunName);
            step.actions.add(new RolloutAction.StartBaseline(a.baselineRunName, a.baselineRevision,
                    identity(settings.suite(), a.baselineStartedAt)));
            return true;
        }
        String limit = "no result within " + settings.analysisTimeout().toSeconds() + " s";
        boolean late = Duration.between(Instant.parse(a.baselineStartedAt), step.now).compareTo(settings.analysisTimeout()) > 0;
        if (!baselineRun.runExists()) {
            if (late) {
                step.baselineUnavailable(a, limit + " (the run is gone)", settings);
                return false;
            }
            step.actions.add(new RolloutAction.StartBaseline(a.baselineRunName, a.baselineRevision, // create-if-absent
                    identity(settings.suite(), a.baselineStartedAt)));
            return true;
        }
        if ("Succeeded".equals(baselineRun.phase())) {
            RunMetrics m = RunMetrics.of(baselineRun.runStatus());
            List<String> missing = new ArrayList<>();
            if (m.samples() == null || m.samples() < settings.samples()) {
                missing.add("it measured " + (m.samples() == null ? "no" : m.samples()) + " examples of " + settings.samples());
            }
            if (m.adversarialSuccessRate() == null) {
                missing.add("adversarialSuccessRate not measured");
            }
            if (settings.slos() != null && settings.slos().maxCleanAccuracyDrop != null && m.cleanAccuracy() == null) {
                missing.add("cleanAccuracy not measured");
            }
            if (!missing.isEmpty()) {
                step.baselineUnavailable(a, String.join("; ", missing), settings);
                return false;
            }
            step.baselineMeasured(a, baselineRun.runStatus(), settings);
            return false;
        }
        if ("Failed".equals(baselineRun.phase())) {
            String error = baselineRun.runStatus().error == null ? "no reason given" : baselineRun.runStatus().error;
            step.baselineUnavailable(a, "the tester could not measure: " + error, settings);
            return false;
        }
        if (baselineRun.jobFailure() != null) {
            step.baselineUnavailable(a, "its Job failed: " + baselineRun.jobFailure(), settings);
            return false;
        }
        if (late) {
            step.baselineUnavailable(a, limit, settings);
            return false;
        }
        return true;
    }

    /**
     * The stable revision's re-scan (rollout.rescan): started when asked for (robustml.io/rescan), when no
     * verdict on it exists for the current suite (onSuiteChange) or when its schedule's next time after the
     * revision was last judged has come; one already running is followed to its end either way,
     * recorded before its run and Job are asked for (the stable revision's own
     * model file, like a baseline), judged by the SLOs (relative ones do not apply: it would be its own
     * baseline), recorded in history and {@code lastRescan}. A failed re-scan leaves stable serving and
     * the model Degraded until a later verdict.
     */
    private static void followRescan(Step step, String model, String sha, RunObservation run, RolloutSettings settings,
            String asked) {
        RobustModelStatus s = step.status;
        String stable = s.stableRevision;
        if (!settings.rescan().onSuiteChange() && settings.rescan().schedule() == null && asked == null
                && (s.rescan == null || !stable.equals(s.rescan.revision))) {
            s.rescan = null;
            return;
        }
        if (s.rescan == null || !stable.equals(s.rescan.revision)) {
            Optional<RevisionRecord> judged = s.history == null ? Optional.empty() : s.history.stream()
                    .filter(r -> stable.equals(r.revision) && settings.suite().equals(r.suite) && JUDGED.contains(r.verdict))
                    .findFirst();
            s.rescan = null;
            if (judged.isPresent() && RESCAN_FAILED.equals(judged.get().verdict)) {
                s.phase = Phase.DEGRADED.wire();
            }
            String why;
            if (asked != null) {
                why = "a re-scan of stable revision " + stable + " was asked for (" + asked + ")";
            } else if (settings.rescan().onSuiteChange() && judged.isEmpty()) {
                why = "the test suite changed since stable revision " + stable + " was judged";
            } else {
                Optional<Instant> due = nextRescan(s, settings);
                if (due.isEmpty() || due.get().isAfter(step.now)) {
                    return;
                }
                why = "a re-scan of stable revision " + stable + " was due at " + due.get() + " (schedule \""
                        + settings.rescan().schedule() + "\")";
            }
            s.rescan = new AnalysisProgress();
            s.rescan.revision = stable;
            s.rescan.attempt = 1;
            s.rescan.runName = rescanRunName(model, stable, priorRescans(s, stable) + 1);
            s.rescan.startedAt = step.now.toString();
            step.event(false, Reasons.RESCAN_STARTED, why + ": analysing it again with " + s.rescan.runName
                    + " (no rollout; it keeps serving)");
            step.actions.add(new RolloutAction.StartRescan(s.rescan.runName, stable, identity(settings.suite(), s.rescan.startedAt)));
            return;
        }
        AnalysisProgress r = s.rescan;
        if (run.runExists() && !identity(settings.suite(), r.startedAt).equals(run.identity())) {
            String taken = r.runName;
            r.runName = rescanRunName(model, stable, ordinal(taken, "-r") + 1);
            r.startedAt = step.now.toString();
            step.event(true, Reasons.RUN_NAME_COLLISION, "re-scan run " + taken + " exists but was not created by this re-scan; "
                    + "it is not judged: the re-scan continues as " + r.runName);
            step.actions.add(new RolloutAction.StartRescan(r.runName, stable, identity(settings.suite(), r.startedAt)));
            return;
        }
        String limit = "no result within " + settings.analysisTimeout().toSeconds() + " s";
        boolean late = Duration.between(Instant.parse(r.startedAt), step.now).compareTo(settings.analysisTimeout()) > 0;
        if (!run.runExists() || (run.jobMissing() && run.phase() == null)) {
            if (late) {
                step.rescanEnded(r, sha, RESCAN_INCONCLUSIVE, null, limit, settings);
            } else {
                step.actions.add(new RolloutAction.StartRescan(r.runName, stable, identity(settings.suite(), r.startedAt)));
            }
            return;
        }
        if ("Succeeded".equals(run.phase())) {
            Verdict verdict = SloVerdict.judge(settings.slos(), RunMetrics.of(run.runStatus()), null, settings.samples(),
                    "a re-scan of the stable revision is its own baseline", RunDetails.of(run.runStatus()));
            step.actions.add(new RolloutAction.RecordVerdict(r.runName, verdict.outcome().toString(), verdict.violations()));
            AnalysisSummary summary = withVerdict(run.runStatus(), r, verdict, step.now);
            String outcome = switch (verdict.outcome()) {
                case PASSED -> RESCANNED;
                case FAILED -> RESCAN_FAILED;
                case INCONCLUSIVE -> RESCAN_INCONCLUSIVE;
            };
            step.rescanEnded(r, sha, outcome, summary, verdict.summary(), settings);
        } else if ("Failed".equals(run.phase())) {
            step.rescanEnded(r, sha, RESCAN_INCONCLUSIVE, null, "the tester could not measure: "
                    + (run.runStatus().error == null ? "no reason given" : run.runStatus().error), settings);
        } else if (run.jobFailure() != null) {
            step.rescanEnded(r, sha, RESCAN_INCONCLUSIVE, null, "its Job failed: " + run.jobFailure(), settings);
        } else if (late) {
            step.rescanEnded(r, sha, RESCAN_INCONCLUSIVE, null, limit, settings);
        }
    }

    /**
     * When the stable revision's scheduled re-scan is due: the schedule's first time after the revision was
     * last judged (promoted or re-scanned, with any suite); at once when no such record is left. Empty
     * without a schedule or stable revision, or for a date that never comes.
     */
    public static Optional<Instant> nextRescan(RobustModelStatus s, RolloutSettings settings) {
        if (settings.rescan().schedule() == null || s.stableRevision == null) {
            return Optional.empty();
        }
        Optional<Instant> judged = s.history == null ? Optional.empty() : s.history.stream()
                .filter(r -> s.stableRevision.equals(r.revision) && JUDGED.contains(r.verdict) && r.at != null)
                .map(r -> Instant.parse(r.at)).max(Instant::compareTo);
        return judged.isEmpty() ? Optional.of(Instant.EPOCH) : settings.rescan().schedule().next(judged.get());
    }

    /** Verdicts that judged a revision with a suite: no re-scan of it is due for that suite. */
    private static final java.util.Set<String> JUDGED = java.util.Set.of("Passed", "PromotedManually", RESCANNED, RESCAN_FAILED,
            RESCAN_INCONCLUSIVE);

    /** Re-scans of this revision that already ended. */
    static int priorRescans(RobustModelStatus s, String revision) {
        return s.history == null ? 0 : (int) s.history.stream()
                .filter(r -> revision.equals(r.revision) && r.verdict != null && r.verdict.startsWith("Rescan")).count();
    }

    /** Deterministic, a valid Job name: {@code <model>-<stable revision>-r<n>}, n counting the revision's re-scans. */
    public static String rescanRunName(String model, String revision, int n) {
        return name(model, "-" + revision + "-r" + n);
    }

    static boolean hasRelativeSlos(RolloutSettings settings) {
        return settings.slos() != null
                && (settings.slos().maxAdversarialSuccessRateRatio != null || settings.slos().maxCleanAccuracyDrop != null
                        || settings.slos().maxAdversarialSuccessRateIncrease != null);
    }

    /** Baseline measurements of this revision that already ended (each left a history record). */
    static int priorBaselines(RobustModelStatus s, String revision) {
        return s.history == null ? 0 : (int) s.history.stream()
                .filter(r -> revision.equals(r.revision) && r.verdict != null && r.verdict.startsWith(BASELINE)).count();
    }

    /** Deterministic, a valid Job name: {@code <model>-<stable revision>-b<n>}, n counting the revision's baselines. */
    public static String baselineRunName(String model, String revision, int n) {
        return name(model, "-" + revision + "-b" + n);
    }

    /**
     * Analyses of this revision that already ended (each left a history record): a retried revision's
     * runs get new names, so an old run's numbers are never judged again.
     */
    static int priorAnalyses(RobustModelStatus s, String revision) {
        return s.history == null ? 0 : (int) s.history.stream().filter(r -> revision.equals(r.revision)).count();
    }

    /**
     * What a run carries to be known as this attempt's own: the suite's hash and when the attempt asked
     * for it. A run of the same name without it — made for an earlier analysis whose record the capped
     * history dropped, or for another suite — is never judged ({@code RunNameCollision}).
     */
    public static String identity(String suite, String startedAt) {
        return suite + "@" + startedAt;
    }

    /** The n of a run name ending {@code <marker><n>}. */
    static int ordinal(String runName, String marker) {
        return Integer.parseInt(runName.substring(runName.lastIndexOf(marker) + marker.length()));
    }

    /**
     * Deterministic and a valid Job name (63 characters at most): {@code <model>-<revision>-a<n>}, n
     * counting every analysis attempt of the revision (and moving past a name already taken).
     */
    public static String runName(String model, String revision, int attempt) {
        return name(model, "-" + revision + "-a" + attempt);
    }

    private static String name(String model, String suffix) {
        String prefix = model.length() > 63 - suffix.length() ? model.substring(0, 63 - suffix.length()) : model;
        while (prefix.endsWith("-") || prefix.endsWith(".")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix + suffix;
    }

    /**
     * The stable revision's own numbers, if it was measured with the same suite: by the analysis that
     * promoted it, or by a baseline run (the newest wins).
     */
    static RunMetrics baseline(RobustModelStatus s, RolloutSettings settings) {
        if (s.stableRevision == null || s.history == null) {
            return null;
        }
        return s.history.stream()
                .filter(r -> s.stableRevision.equals(r.revision) && ("Passed".equals(r.verdict) || BASELINE.equals(r.verdict))
                        && settings.suite().equals(r.suite) && r.adversarialSuccessRate != null)
                .findFirst().map(r -> RunMetrics.baseline(r.cleanAccuracy, r.adversarialSuccessRate)).orElse(null);
    }

    /**
     * The revision's pass with the current suite within the rollback window, unless the guard rolled it back
     * since (then only a new analysis may bring it back).
     */
    public static Optional<RevisionRecord> recentPass(RobustModelStatus s, String revision, RolloutSettings settings,
            Instant now) {
        if (s.history == null) {
            return Optional.empty();
        }
        return s.history.stream().filter(r -> revision.equals(r.revision)
                        && ("Passed".equals(r.verdict) || GUARD_ROLLED_BACK.equals(r.verdict))).findFirst()
                .filter(r -> "Passed".equals(r.verdict) && settings.suite().equals(r.suite) && r.at != null
                        && Duration.between(Instant.parse(r.at), now).compareTo(settings.rollbackWindow()) <= 0);
    }

    /**
     * The guard's rollback (rollout.guard action rollback), once the previous stable revision is Ready again:
     * it serves as if promoted again from history, and the revision that served is rejected
     * ({@value #GUARD_ROLLED_BACK}) until the spec changes or a retry analyses it again.
     */
    public static Decision rollBack(RobustModelStatus previous, String to, String message, RolloutSettings settings, Instant now) {
        Step step = new Step(copy(previous), now);
        String from = step.status.stableRevision;
        step.promote(to, step.shaOf(to), "Passed", null, settings.suite(), "revision " + to + " serves again: " + message);
        step.reject(from, Reasons.GUARD_ROLLED_BACK, "revision " + from + " rolled back by rollout.guard: " + message, null,
                settings.suite());
        step.status.rollbackRevision = null;
        return step.done();
    }

    /** The history's word for why a revision was rejected; {@link #rejectionReason} maps it back. */
    static String verdictFor(String reason) {
        return switch (reason) {
            case Reasons.ROBUSTNESS_REGRESSION -> "Failed";
            case Reasons.ANALYSIS_INCONCLUSIVE -> "Inconclusive";
            default -> reason;
        };
    }

    /** The Degraded condition's reason for a rejected revision, from its history record. */
    public static String rejectionReason(String verdict) {
        if (verdict == null) {
            return Reasons.ROBUSTNESS_REGRESSION;
        }
        return switch (verdict) {
            case "Failed" -> Reasons.ROBUSTNESS_REGRESSION;
            case "Inconclusive" -> Reasons.ANALYSIS_INCONCLUSIVE;
            default -> verdict;
        };
    }

    private static boolean timedOut(AnalysisProgress a, RolloutSettings settings, Instant now) {
        return a.startedAt != null && Duration.between(Instant.parse(a.startedAt), now).compareTo(settings.analysisTimeout()) > 0;
    }

    private static boolean isNew(RobustModelStatus s, String key, String value) {
        return value != null && !value.equals(s.handledRequests.get(key));
    }

    private static AnalysisSummary withVerdict(AdversarialTestRunStatus run, AnalysisProgress a, Verdict verdict, Instant now) {
        AnalysisSummary summary = new AnalysisSummary();
        summary.runName = a.runName;
        summary.revision = a.revision;
        summary.verdict = verdict.outcome().toString();
        if (run != null) {
            summary.adversarialSuccessRate = io.robustml.crds.Decimals.text(run.adversarialSuccessRate);
            summary.cleanAccuracy = io.robustml.crds.Decimals.text(run.cleanAccuracy);
            summary.detectionRecall = run.detector == null ? null : io.robustml.crds.Decimals.text(run.detector.recall());
        }
        summary.violatedSlos = verdict.violations().isEmpty() ? null : verdict.violations();
        if (run != null && run.warnings != null && !run.warnings.isEmpty()) {
            summary.warnings = run.warnings.stream().map(w -> (w.reason() == null ? Reasons.ANALYSIS_WARNING : w.reason()) + ": " + w.message())
                    .limit(32).toList();
        }
        summary.finishedAt = now.toString();
        return summary;
    }

    private static RobustModelStatus copy(RobustModelStatus previous) {
        RobustModelStatus s = previous == null ? new RobustModelStatus()
                : Serialization.clone(previous);
        if (s.conditions == null) {
            s.conditions = new ArrayList<>();
        }
        return s;
    }

    /** The status being built and the actions collected. */
    private static final class Step {
        final RobustModelStatus status;
        final Instant now;
        final List<RolloutAction> actions = new ArrayList<>();

        Step(RobustModelStatus status, Instant now) {
            this.status = status;
            this.now = now;
        }

        Decision done() {
            return new Decision(status, List.copyOf(actions));
        }

        void event(boolean warning, String reason, String message) {
            actions.add(new RolloutAction.Event(warning, reason, message));
        }

        void promote(String revision, String sha, String verdict, AnalysisSummary summary, String suite, String message) {
            RobustModelStatus s = status;
            String runName = s.analysis != null && revision.equals(s.analysis.revision) ? s.analysis.runName : null;
            if (s.stableRevision != null && !s.stableRevision.equals(revision)) {
                s.rollbackRevision = s.stableRevision; // kept with 0 pods only where rollout.guard asks for it
            }
            s.stableRevision = revision;
            s.canaryRevision = null;
            s.analysis = null;
            if (revision.equals(s.rejectedRevision)) {
                s.rejectedRevision = null;
            }
            if (summary != null) {
                s.lastAnalysis = summary;
            }
            RevisionRecord record = record(revision, sha, verdict, runName, suite);
            if (summary != null) {
                record.cleanAccuracy = summary.cleanAccuracy;
                record.adversarialSuccessRate = summary.adversarialSuccessRate;
            } else if ("Passed".equals(verdict)) {
                // Promoted again from history: carry the measured numbers forward as the baseline.
                s.history.stream().filter(r -> revision.equals(r.revision) && "Passed".equals(r.verdict)).findFirst()
                        .ifPresent(r -> {
                            record.cleanAccuracy = r.cleanAccuracy;
                            record.adversarialSuccessRate = r.adversarialSuccessRate;
                            record.runName = r.runName;
                            record.at = r.at; // the window counts from the analysis, not from each reuse
                        });
            }
            addHistory(record);
            s.phase = Phase.READY.wire();
            event(!"Passed".equals(verdict), Reasons.PROMOTED_MANUALLY.equals(verdict) ? Reasons.PROMOTED_MANUALLY : Reasons.PROMOTED, message);
        }

        void reject(String revision, String reason, String message, AnalysisSummary summary, String suite) {
            RobustModelStatus s = status;
            String runName = s.analysis != null ? s.analysis.runName : null;
            s.rejectedRevision = revision;
            s.canaryRevision = null;
            s.analysis = null;
            if (summary != null) {
                s.lastAnalysis = summary;
            }
            RevisionRecord record = record(revision, null, verdictFor(reason), runName, suite);
            addHistory(record);
            s.phase = s.stableRevision == null ? Phase.FAILED.wire() : Phase.DEGRADED.wire();
            event(true, reason, message);
        }

        void baselineMeasured(AnalysisProgress a, AdversarialTestRunStatus run, RolloutSettings settings) {
            RevisionRecord r = record(a.baselineRevision, shaOf(a.baselineRevision), BASELINE, a.baselineRunName,
                    settings.suite());
            r.cleanAccuracy = io.robustml.crds.Decimals.text(run.cleanAccuracy);
            r.adversarialSuccessRate = io.robustml.crds.Decimals.text(run.adversarialSuccessRate);
            addHistory(r);
            event(false, Reasons.BASELINE_MEASURED, "stable revision " + a.baselineRevision + " measured by " + a.baselineRunName
                    + ": adversarialSuccessRate " + run.adversarialSuccessRate + ", cleanAccuracy " + run.cleanAccuracy
                    + " (the baseline for relative SLOs)");
            endBaseline(a);
        }

        void baselineUnavailable(AnalysisProgress a, String why, RolloutSettings settings) {
            addHistory(record(a.baselineRevision, shaOf(a.baselineRevision), BASELINE_UNAVAILABLE, a.baselineRunName,
                    settings.suite()));
            event(true, "BaselineUnavailable", "baseline " + a.baselineRunName + " of stable revision " + a.baselineRevision
                    + " could not be measured (" + why + "); canary " + a.revision
                    + " is judged without it: relative SLOs not applicable");
            a.baselineUnavailable = why;
            endBaseline(a);
        }

        /** A re-scan's end: its history record, {@code lastRescan} when it measured, an event, the phase. */
        void rescanEnded(AnalysisProgress r, String sha, String verdict, AnalysisSummary summary, String why,
                RolloutSettings settings) {
            RevisionRecord record = record(r.revision, sha, verdict, r.runName, settings.suite());
            if (summary != null) {
                record.cleanAccuracy = summary.cleanAccuracy;
                record.adversarialSuccessRate = summary.adversarialSuccessRate;
                status.lastRescan = summary;
            }
            addHistory(record);
            status.rescan = null;
            switch (verdict) {
                case RESCANNED -> event(false, Reasons.RESCAN_PASSED, "stable revision " + r.revision + " re-scanned with the "
                        + "current suite by " + r.runName + ": " + why);
                case RESCAN_FAILED -> {
                    status.phase = Phase.DEGRADED.wire();
                    event(true, Reasons.RESCAN_FAILED, "stable revision " + r.revision + " fails its SLOs with the current "
                            + "suite (" + r.runName + "): " + why + "; it keeps serving: roll out a revision that passes");
                    if (settings.rescan().contain()) {
                        event(true, Reasons.RESCAN_CONTAINED, "rollout.rescan.onFailure contain: every sidecar of revision "
                                + r.revision + " now blocks flagged inputs (detector action block, hot-reloaded, no new "
                                + "revision) until a re-scan of it passes or another revision is promoted");
                    }
                }
                default -> event(true, Reasons.RESCAN_INCONCLUSIVE, "re-scan " + r.runName + " of stable revision "
                        + r.revision + " gave no verdict: " + why);
            }
        }

        private void endBaseline(AnalysisProgress a) {
            a.baselineRunName = null;
            a.baselineRevision = null;
            a.baselineStartedAt = null;
        }

        private String shaOf(String revision) {
            return status.history == null ? null : status.history.stream()
                    .filter(r -> revision.equals(r.revision) && r.modelSha256 != null).map(r -> r.modelSha256)
                    .findFirst().orElse(null);
        }

        void inconclusive(AnalysisProgress a, String why, String model, RolloutSettings settings) {
            if (a.attempt <= settings.retries()) {
                event(true, Reasons.ANALYSIS_INCONCLUSIVE, "attempt " + a.attempt + " of revision " + a.revision + " inconclusive ("
                        + why + "); retrying, attempt " + (a.attempt + 1) + " of " + (settings.retries() + 1));
                a.attempt = a.attempt + 1;
                a.runName = runName(model, a.revision, ordinal(a.runName, "-a") + 1); // past any name already taken
                a.startedAt = null;
                a.progressingSince = now.toString(); // the retry's pods get a deadline of their own
                a.lastInconclusive = why;
            } else {
                AnalysisSummary summary = new AnalysisSummary();
                summary.runName = a.runName;
                summary.revision = a.revision;
                summary.verdict = "Inconclusive";
                summary.violatedSlos = null;
                summary.finishedAt = now.toString();
                reject(a.revision, Reasons.ANALYSIS_INCONCLUSIVE, "revision " + a.revision + " rolled back after "
                        + a.attempt + " inconclusive attempt(s): " + why, summary, settings.suite());
            }
        }

        private RevisionRecord record(String revision, String sha, String verdict, String runName, String suite) {
            RevisionRecord r = new RevisionRecord();
            r.revision = revision;
            r.modelSha256 = sha;
            r.verdict = verdict;
            r.runName = runName;
            r.at = now.toString();
            r.suite = suite;
            return r;
        }

        private void addHistory(RevisionRecord record) {
            List<RevisionRecord> history = new ArrayList<>();
            history.add(record);
            if (status.history != null) {
                history.addAll(status.history);
            }
            status.history = history.size() > HISTORY_LIMIT ? new ArrayList<>(history.subList(0, HISTORY_LIMIT)) : history;
        }
    }
}
