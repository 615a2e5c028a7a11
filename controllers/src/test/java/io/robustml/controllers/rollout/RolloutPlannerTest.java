package io.robustml.controllers.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.SlosSpec;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine, phase by phase and event by event, without a cluster. */
class RolloutPlannerTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final String MODEL = "fashion";
    private static final String SHA = "a".repeat(64);
    private static final RolloutSettings SETTINGS = settings(true);
    /** The identity of a run this test's planner asked for at T0. */
    private static final String OURS = RolloutPlanner.identity(SETTINGS.suite(), T0.toString());

    private static RolloutSettings settings(boolean autoRollback) {
        SlosSpec slos = new SlosSpec();
        slos.maxAdversarialSuccessRate = "0.3";
        slos.maxAdversarialSuccessRateRatio = "2";
        return new RolloutSettings(slos, 100, Duration.ofSeconds(900), 1, autoRollback, Duration.ofHours(168), "suite1",
                RolloutSettings.DEFAULT_PROGRESS_DEADLINE, false);
    }

    private static RolloutPlanner.Decision decide(String desired, RobustModelStatus s, boolean ready, RunObservation run,
            Requests requests, Instant now) {
        return RolloutPlanner.decide(MODEL, desired, SHA, s, ready, run, requests, SETTINGS, now);
    }

    private static RolloutPlanner.Decision decide(String desired, RobustModelStatus s, boolean ready, RunObservation run) {
        return decide(desired, s, ready, run, Requests.none(), T0);
    }

    static RunObservation succeeded(String asr) {
        AdversarialTestRunStatus r = new AdversarialTestRunStatus();
        r.phase = "Succeeded";
        r.samples = 100;
        r.cleanAccuracy = 0.9;
        r.adversarialSuccessRate = io.robustml.crds.Decimals.value(asr);
        return new RunObservation(true, r, null, OURS);
    }

    /** The identity of a run this test's planner asked for at {@code at}. */
    static String ours(Instant at) {
        return RolloutPlanner.identity(SETTINGS.suite(), at.toString());
    }

    /** {@code run} as the run this test's planner asked for at {@code at}. */
    static RunObservation startedAt(RunObservation run, Instant at) {
        return new RunObservation(run.runExists(), run.runStatus(), run.jobFailure(), ours(at));
    }

    static RunObservation running() {
        AdversarialTestRunStatus r = new AdversarialTestRunStatus();
        r.phase = "Running";
        return new RunObservation(true, r, null, OURS);
    }

    /** A status where rev0 serves, passed with ASR 0.1 on suite1. */
    private static RobustModelStatus stable(String revision) {
        RobustModelStatus s = decide(revision, null, true, RunObservation.absent()).status();
        s = decide(revision, s, true, RunObservation.absent()).status();
        return decide(revision, s, true, succeeded("0.1")).status();
    }

    /** SETTINGS with another suite (an attack added) and rollout.rescan.onSuiteChange as given. */
    private static RolloutSettings suite2(boolean rescan) {
        return new RolloutSettings(SETTINGS.slos(), 100, Duration.ofSeconds(900), 1, true, Duration.ofHours(168), "suite2",
                RolloutSettings.DEFAULT_PROGRESS_DEADLINE, rescan);
    }

    private static RolloutPlanner.Decision rescan(RobustModelStatus s, RunObservation run, RolloutSettings settings, Instant now) {
        return RolloutPlanner.decide(MODEL, "rev0", SHA, s, true, RunObservation.absent(), RunObservation.absent(), run,
                Requests.none(), settings, now);
    }

    @Test
    void aSuiteChangeReScansTheStableRevisionWithoutARolloutAndAFailureDegradesIt() {
        RobustModelStatus s = stable("rev0");
        assertThat(rescan(s, RunObservation.absent(), suite2(false), T0).actions()).as("off by default: nothing").isEmpty();
        assertThat(rescan(s, RunObservation.absent(), new RolloutSettings(SETTINGS.slos(), 100, Duration.ofSeconds(900), 1, true,
                Duration.ofHours(168), "suite1", RolloutSettings.DEFAULT_PROGRESS_DEADLINE, true), T0).actions())
                .as("judged with this suite already: nothing").isEmpty();

        Instant t1 = T0.plusSeconds(60);
        RolloutPlanner.Decision start = rescan(s, RunObservation.absent(), suite2(true), t1);
        String identity = RolloutPlanner.identity("suite2", t1.toString());
        assertThat(start.actions()).contains(new RolloutAction.StartRescan("fashion-rev0-r1", "rev0", identity));
        assertThat(events(start)).extracting(RolloutAction.Event::reason).containsExactly("RescanStarted");
        assertThat(start.status().rescan.runName).as("recorded before it is asked for").isEqualTo("fashion-rev0-r1");
        assertThat(start.status().stableRevision).isEqualTo("rev0");
        assertThat(start.status().canaryRevision).as("no rollout").isNull();
        assertThat(start.status().phase).isEqualTo("Ready");

        // Asked again (create-if-absent) until the run exists; then followed until it has a result.
        assertThat(rescan(start.status(), RunObservation.absent(), suite2(true), t1.plusSeconds(5)).actions())
                .containsExactly(new RolloutAction.StartRescan("fashion-rev0-r1", "rev0", identity));
        AdversarialTestRunStatus failing = succeeded("0.9").runStatus();
        RolloutPlanner.Decision failed = rescan(start.status(), new RunObservation(true, failing, null, identity), suite2(true),
                t1.plusSeconds(60));
        assertThat(failed.status().rescan).isNull();
        assertThat(failed.status().lastRescan.verdict).isEqualTo("Failed");
        assertThat(failed.status().lastRescan.violatedSlos).isNotEmpty();
        assertThat(failed.status().history.get(0).verdict).isEqualTo(RolloutPlanner.RESCAN_FAILED);
        assertThat(failed.status().history.get(0).suite).isEqualTo("suite2");
        assertThat(failed.status().stableRevision).as("stable keeps serving").isEqualTo("rev0");
        assertThat(failed.status().phase).isEqualTo("Degraded");
        assertThat(events(failed)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("RescanFailed");
            assertThat(e.warning()).isTrue();
        });
        assertThat(verdicts(failed)).singleElement().extracting(RolloutAction.RecordVerdict::verdict).isEqualTo("Failed");
        RolloutSettings containing = new RolloutSettings(SETTINGS.slos(), 100, Duration.ofSeconds(900), 1, true, Duration.ofHours(168),
                "suite2", RolloutSettings.DEFAULT_PROGRESS_DEADLINE, new RolloutSettings.Rescans(true, null, true));
        assertThat(events(rescan(start.status(), new RunObservation(true, failing, null, identity), containing, t1.plusSeconds(60))))
                .extracting(RolloutAction.Event::reason).as("onFailure contain says so").containsExactly("RescanFailed", "RescanContained");
        // Judged for this suite: not again, and still Degraded.
        RolloutPlanner.Decision later = rescan(failed.status(), RunObservation.absent(), suite2(true), t1.plusSeconds(600));
        assertThat(later.actions()).isEmpty();
        assertThat(later.status().phase).isEqualTo("Degraded");
    }

    @Test
    void aReScanThatPassesIsRecordedAndAnotherThatNeverRunsIsInconclusive() {
        Instant t1 = T0.plusSeconds(60);
        RolloutPlanner.Decision start = rescan(stable("rev0"), RunObservation.absent(), suite2(true), t1);
        String identity = RolloutPlanner.identity("suite2", t1.toString());
        RolloutPlanner.Decision passed = rescan(start.status(), new RunObservation(true, succeeded("0.1").runStatus(), null, identity),
                suite2(true), t1.plusSeconds(60));
        assertThat(passed.status().history.get(0).verdict).isEqualTo(RolloutPlanner.RESCANNED);
        assertThat(passed.status().phase).isEqualTo("Ready");
        assertThat(events(passed)).extracting(RolloutAction.Event::reason).containsExactly("RescanPassed");

        RolloutPlanner.Decision other = rescan(stable("rev0"), RunObservation.absent(), suite2(true), t1);
        RolloutPlanner.Decision gone = rescan(other.status(), RunObservation.absent(), suite2(true), t1.plusSeconds(901));
        assertThat(gone.status().history.get(0).verdict).isEqualTo(RolloutPlanner.RESCAN_INCONCLUSIVE);
        assertThat(gone.status().rescan).isNull();
        assertThat(events(gone)).extracting(RolloutAction.Event::reason).containsExactly("RescanInconclusive");
        // A run of that name made for something else is never judged.
        RolloutPlanner.Decision taken = rescan(other.status(), new RunObservation(true, succeeded("0.9").runStatus(), null, "x@y"),
                suite2(true), t1.plusSeconds(5));
        assertThat(taken.status().rescan.runName).isEqualTo("fashion-rev0-r2");
        assertThat(taken.status().history.get(0).verdict).isEqualTo("Passed");
    }

    /** SETTINGS (same suite, absolute SLOs only) with rollout.rescan.schedule only. */
    private static RolloutSettings scheduled(String cron) {
        SlosSpec slos = new SlosSpec();
        slos.maxAdversarialSuccessRate = "0.3";
        return new RolloutSettings(slos, 100, Duration.ofSeconds(900), 1, true, Duration.ofHours(168), "suite1",
                RolloutSettings.DEFAULT_PROGRESS_DEADLINE, new RolloutSettings.Rescans(false, RescanSchedule.parse(cron), false));
    }

    private static RunObservation rescanResult(String asr, Instant started) {
        return new RunObservation(true, succeeded(asr).runStatus(), null, RolloutPlanner.identity("suite1", started.toString()));
    }

    @Test
    void aScheduledReScanIsDueAtTheFirstTimeAfterTheRevisionWasLastJudgedAndMissedTimesGiveOne() {
        RolloutSettings hourly = scheduled("0 * * * *");
        RobustModelStatus s = stable("rev0"); // promoted at T0, 10:00
        assertThat(RolloutPlanner.nextRescan(s, hourly)).contains(Instant.parse("2026-11-25T11:00:00Z"));
        assertThat(RolloutPlanner.nextRescan(s, SETTINGS)).as("no schedule").isEmpty();
        assertThat(rescan(s, RunObservation.absent(), hourly, Instant.parse("2026-11-25T10:59:59Z")).actions()).as("not yet").isEmpty();

        Instant t1 = Instant.parse("2026-11-25T11:00:05Z");
        RolloutPlanner.Decision start = rescan(s, RunObservation.absent(), hourly, t1);
        assertThat(start.actions()).contains(new RolloutAction.StartRescan("fashion-rev0-r1", "rev0",
                RolloutPlanner.identity("suite1", t1.toString())));
        assertThat(events(start)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("RescanStarted");
            assertThat(e.message()).contains("due at 2026-11-25T11:00:00Z", "schedule \"0 * * * *\"", "fashion-rev0-r1");
        });
        assertThat(start.status().canaryRevision).as("no rollout").isNull();
        assertThat(start.status().phase).isEqualTo("Ready");

        // Judged with the same suite, the schedule still re-scans: a failure degrades, the next pass clears it.
        RolloutPlanner.Decision failed = rescan(start.status(), rescanResult("0.9", t1), hourly, t1.plusSeconds(120));
        assertThat(failed.status().history.get(0).verdict).isEqualTo(RolloutPlanner.RESCAN_FAILED);
        assertThat(failed.status().phase).isEqualTo("Degraded");
        assertThat(RolloutPlanner.nextRescan(failed.status(), hourly)).contains(Instant.parse("2026-11-25T12:00:00Z"));
        assertThat(rescan(failed.status(), RunObservation.absent(), hourly, Instant.parse("2026-11-25T11:30:00Z")).actions())
                .as("once per scheduled time").isEmpty();

        // The operator was away for hours: one re-scan, not one per missed time.
        Instant t2 = Instant.parse("2026-11-25T15:10:00Z");
        RolloutPlanner.Decision late = rescan(failed.status(), RunObservation.absent(), hourly, t2);
        assertThat(starts(late)).isEmpty();
        assertThat(late.actions()).filteredOn(RolloutAction.StartRescan.class::isInstance).containsExactly(
                new RolloutAction.StartRescan("fashion-rev0-r2", "rev0", RolloutPlanner.identity("suite1", t2.toString())));
        assertThat(late.status().phase).as("still Degraded until a verdict").isEqualTo("Degraded");
        assertThat(rescan(late.status(), RunObservation.absent(), hourly, t2.plusSeconds(60)).actions())
                .as("the run is asked for again, not a second one").containsExactly(
                        new RolloutAction.StartRescan("fashion-rev0-r2", "rev0", RolloutPlanner.identity("suite1", t2.toString())));
        RolloutPlanner.Decision passed = rescan(late.status(), rescanResult("0.1", t2), hourly, t2.plusSeconds(120));
        assertThat(passed.status().history.get(0).verdict).isEqualTo(RolloutPlanner.RESCANNED);
        assertThat(passed.status().phase).isEqualTo("Ready");
        assertThat(RolloutPlanner.nextRescan(passed.status(), hourly)).contains(Instant.parse("2026-11-25T16:00:00Z"));
    }

    @Test
    void aReScanAskedForByAnnotationRunsOnceEvenWithoutRescanSettingsAndIsFollowedToItsEnd() {
        RobustModelStatus s = stable("rev0");
        Instant t1 = T0.plusSeconds(60);
        Requests asked = new Requests(null, null, null, "2026-11-25T10:01 alice: new attack paper");
        RolloutPlanner.Decision start = RolloutPlanner.decide(MODEL, "rev0", SHA, s, true, RunObservation.absent(),
                RunObservation.absent(), RunObservation.absent(), asked, SETTINGS, t1);
        assertThat(start.actions()).contains(new RolloutAction.StartRescan("fashion-rev0-r1", "rev0",
                RolloutPlanner.identity("suite1", t1.toString())));
        assertThat(events(start)).singleElement().satisfies(e -> assertThat(e.message())
                .contains("robustml.io/rescan=2026-11-25T10:01 alice: new attack paper", "fashion-rev0-r1"));
        assertThat(start.status().handledRequests).containsEntry(Requests.RESCAN, "2026-11-25T10:01 alice: new attack paper");

        // The same value again is not a new request; asking while it runs is said to be ignored.
        RolloutPlanner.Decision again = RolloutPlanner.decide(MODEL, "rev0", SHA, start.status(), true, RunObservation.absent(),
                RunObservation.absent(), RunObservation.absent(), asked, SETTINGS, t1.plusSeconds(5));
        assertThat(again.actions()).containsExactly(new RolloutAction.StartRescan("fashion-rev0-r1", "rev0",
                RolloutPlanner.identity("suite1", t1.toString())));
        RolloutPlanner.Decision busy = RolloutPlanner.decide(MODEL, "rev0", SHA, start.status(), true, RunObservation.absent(),
                RunObservation.absent(), RunObservation.absent(), new Requests(null, null, null, "second"), SETTINGS, t1.plusSeconds(5));
        assertThat(events(busy)).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("RescanIgnored"));

        // Followed to its verdict with no rescan settings at all.
        RolloutPlanner.Decision ended = RolloutPlanner.decide(MODEL, "rev0", SHA, busy.status(), true, RunObservation.absent(),
                RunObservation.absent(), rescanResult("0.1", t1), Requests.none(), SETTINGS, t1.plusSeconds(60));
        assertThat(ended.status().history.get(0).verdict).isEqualTo(RolloutPlanner.RESCANNED);
        assertThat(ended.status().rescan).isNull();

        // During a rollout, or before any stable revision, there is nothing to re-scan.
        RolloutPlanner.Decision canary = RolloutPlanner.decide(MODEL, "rev1", SHA, s, true, RunObservation.absent(),
                RunObservation.absent(), RunObservation.absent(), asked, SETTINGS, t1);
        assertThat(canary.actions()).noneMatch(RolloutAction.StartRescan.class::isInstance);
        assertThat(events(canary)).extracting(RolloutAction.Event::reason).contains("RescanIgnored");
    }

    @Test
    void aScheduledReScanWaitsForTheCanaryAndFollowsTheNewStable() {
        RolloutSettings hourly = scheduled("0 * * * *");
        RobustModelStatus s = stable("rev0");
        // rev1 is analysed as a canary over the hour: no re-scan of rev0 meanwhile.
        RolloutPlanner.Decision canary = RolloutPlanner.decide(MODEL, "rev1", SHA, s, true, RunObservation.absent(),
                RunObservation.absent(), RunObservation.absent(), Requests.none(), hourly, Instant.parse("2026-11-25T10:59:00Z"));
        assertThat(canary.status().canaryRevision).isEqualTo("rev1");
        Instant analysed = Instant.parse("2026-11-25T10:59:00Z");
        canary = RolloutPlanner.decide(MODEL, "rev1", SHA, canary.status(), true, RunObservation.absent(),
                RunObservation.absent(), RunObservation.absent(), Requests.none(), hourly, analysed);
        assertThat(canary.status().analysis.startedAt).isEqualTo(analysed.toString());
        RolloutPlanner.Decision during = RolloutPlanner.decide(MODEL, "rev1", SHA, canary.status(), true, startedAt(running(), analysed),
                RunObservation.absent(), RunObservation.absent(), Requests.none(), hourly, Instant.parse("2026-11-25T11:00:30Z"));
        assertThat(during.actions()).noneMatch(RolloutAction.StartRescan.class::isInstance);
        assertThat(during.status().rescan).isNull();
        // Promoted at 11:01: its own clock starts there.
        Instant promotedAt = Instant.parse("2026-11-25T11:01:00Z");
        RolloutPlanner.Decision promoted = RolloutPlanner.decide(MODEL, "rev1", SHA, during.status(), true,
                startedAt(succeeded("0.1"), analysed), RunObservation.absent(), RunObservation.absent(),
                Requests.none(), hourly, promotedAt);
        assertThat(promoted.status().stableRevision).isEqualTo("rev1");
        assertThat(RolloutPlanner.nextRescan(promoted.status(), hourly)).contains(Instant.parse("2026-11-25T12:00:00Z"));
    }

    @Test
    void aRunWhoseJobWasNeverMadeIsAskedForAgain() {
        RolloutPlanner.Decision d = decide("rev1", null, true, RunObservation.absent());
        d = decide("rev1", d.status(), true, RunObservation.absent());
        // The operator stopped after creating the run and before its Job: the restarted one sees the run alone.
        RunObservation runWithoutJob = new RunObservation(true, new AdversarialTestRunStatus(), null, OURS, true);
        RolloutPlanner.Decision resumed = decide("rev1", d.status(), true, runWithoutJob, Requests.none(), T0.plusSeconds(30));
        assertThat(starts(resumed)).containsExactly(new RolloutAction.StartAnalysis("fashion-rev1-a1", "rev1", 1, OURS));
        assertThat(resumed.status().analysis.startedAt).as("the same attempt").isEqualTo(T0.toString());
        assertThat(starts(decide("rev1", d.status(), true, running(), Requests.none(), T0.plusSeconds(30))))
                .as("with its Job: nothing to ask").isEmpty();
    }

    @Test
    void aRunThisAnalysisDidNotCreateIsNeverJudgedAndTheAnalysisMovesToTheNextName() {
        // The history holds ten records at most: once rev1's old records are gone, its next analysis is named
        // fashion-rev1-a1 again, and an old run of that name (finished, passing) may still be kept.
        RolloutPlanner.Decision d = decide("rev1", null, true, RunObservation.absent());
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev1-a1");
        RunObservation stale = new RunObservation(true, succeeded("0.01").runStatus(), null, null);
        d = decide("rev1", d.status(), true, stale, Requests.none(), T0.plusSeconds(1));
        assertThat(d.status().stableRevision).as("never promoted on a run it did not make").isNull();
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev1-a2");
        assertThat(d.status().analysis.startedAt).isNull();
        assertThat(d.actions()).singleElement().satisfies(a -> {
            assertThat(((RolloutAction.Event) a).reason()).isEqualTo("RunNameCollision");
            assertThat(((RolloutAction.Event) a).warning()).isTrue();
        });
        d = decide("rev1", d.status(), true, RunObservation.absent(), Requests.none(), T0.plusSeconds(2));
        String ours = RolloutPlanner.identity(SETTINGS.suite(), T0.plusSeconds(2).toString());
        assertThat(d.actions()).containsExactly(new RolloutAction.StartAnalysis("fashion-rev1-a2", "rev1", 1, ours));

        // A run of the right name from another suite (or another attempt) is no more ours.
        RunObservation otherSuite = new RunObservation(true, succeeded("0.01").runStatus(), null,
                RolloutPlanner.identity("another-suite", T0.plusSeconds(2).toString()));
        d = decide("rev1", d.status(), true, otherSuite, Requests.none(), T0.plusSeconds(3));
        assertThat(d.status().stableRevision).isNull();
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev1-a3");

        d = decide("rev1", d.status(), true, RunObservation.absent(), Requests.none(), T0.plusSeconds(4));
        ours = RolloutPlanner.identity(SETTINGS.suite(), T0.plusSeconds(4).toString());
        d = decide("rev1", d.status(), true, new RunObservation(true, succeeded("0.1").runStatus(), null, ours), Requests.none(),
                T0.plusSeconds(60));
        assertThat(d.status().stableRevision).as("its own run: judged").isEqualTo("rev1");
    }

    @Test
    void aCanaryWhosePodsNeverBecomeReadyIsRetriedThenRolledBackAtItsProgressDeadline() {
        RobustModelStatus s = stable("rev0");
        RolloutPlanner.Decision d = decide("rev1", s, false, RunObservation.absent(), Requests.none(), T0.plusSeconds(10));
        assertThat(d.status().analysis.progressingSince).isEqualTo(T0.plusSeconds(10).toString());
        d = decide("rev1", d.status(), false, RunObservation.absent(), Requests.none(), T0.plusSeconds(610));
        assertThat(d.actions()).as("within the deadline: waits").isEmpty();

        d = decide("rev1", d.status(), false, RunObservation.absent(), Requests.none(), T0.plusSeconds(611));
        assertThat(d.status().canaryRevision).isEqualTo("rev1");
        assertThat(d.status().analysis.attempt).isEqualTo(2);
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev1-a2");
        assertThat(d.status().analysis.progressingSince).as("the retry's own deadline").isEqualTo(T0.plusSeconds(611).toString());
        assertThat(d.actions()).singleElement().satisfies(a -> assertThat(((RolloutAction.Event) a).message())
                .contains("inconclusive", "not all Ready within 600 s", "retrying, attempt 2 of 2"));

        d = decide("rev1", d.status(), false, RunObservation.absent(), Requests.none(), T0.plusSeconds(1212));
        assertThat(d.status().canaryRevision).as("rolled back").isNull();
        assertThat(d.status().rejectedRevision).isEqualTo("rev1");
        assertThat(d.status().stableRevision).isEqualTo("rev0");
        assertThat(d.status().phase).isEqualTo("Degraded");
        assertThat(d.actions()).extracting(a -> ((RolloutAction.Event) a).reason()).contains("AnalysisInconclusive");

        // Ready in time: the deadline plays no part once the run is started.
        RolloutPlanner.Decision ok = decide("rev2", s, false, RunObservation.absent(), Requests.none(), T0);
        ok = decide("rev2", ok.status(), true, RunObservation.absent(), Requests.none(), T0.plusSeconds(599));
        assertThat(starts(ok)).hasSize(1);
        ok = decide("rev2", ok.status(), false, RunObservation.absent(), Requests.none(), T0.plusSeconds(2000));
        assertThat(ok.status().analysis.attempt).isEqualTo(1);
    }

    @Test
    void theFirstRevisionWaitsForItsPodsThenStartsOneAnalysisThenPromotes() {
        RolloutPlanner.Decision d = decide("rev1", null, false, RunObservation.absent());
        assertThat(d.status().canaryRevision).isEqualTo("rev1");
        assertThat(d.status().phase).isEqualTo("Progressing");
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev1-a1");
        assertThat(d.actions()).as("said once: no client traffic before the verdict").singleElement()
                .satisfies(a -> assertThat(((RolloutAction.Event) a).reason()).isEqualTo("TrafficWithheld"));

        d = decide("rev1", d.status(), true, RunObservation.absent());
        assertThat(d.status().analysis.startedAt).isEqualTo(T0.toString());
        assertThat(d.actions()).containsExactly(new RolloutAction.StartAnalysis("fashion-rev1-a1", "rev1", 1, OURS));

        // Restarted operator, run not in its cache yet: asks again for the same run (create-if-absent).
        RolloutPlanner.Decision again = decide("rev1", d.status(), true, RunObservation.absent(), Requests.none(),
                T0.plusSeconds(5));
        assertThat(again.actions()).containsExactly(new RolloutAction.StartAnalysis("fashion-rev1-a1", "rev1", 1, OURS));
        assertThat(again.status().analysis.startedAt).isEqualTo(T0.toString());

        d = decide("rev1", d.status(), true, running());
        assertThat(d.actions()).isEmpty();
        assertThat(d.status().phase).isEqualTo("Progressing");

        d = decide("rev1", d.status(), true, succeeded("0.1"));
        assertThat(d.status().stableRevision).isEqualTo("rev1");
        assertThat(d.status().canaryRevision).isNull();
        assertThat(d.status().analysis).isNull();
        assertThat(d.status().phase).isEqualTo("Ready");
        assertThat(d.status().lastAnalysis.verdict).isEqualTo("Passed");
        assertThat(d.status().history).singleElement().satisfies(r -> {
            assertThat(r.verdict).isEqualTo("Passed");
            assertThat(r.suite).isEqualTo("suite1");
            assertThat(r.adversarialSuccessRate).isEqualTo("0.1");
            assertThat(r.runName).isEqualTo("fashion-rev1-a1");
        });
        assertThat(events(d)).hasSize(1);
        assertThat(verdicts(d)).as("the run shows its verdict").singleElement().extracting(RolloutAction.RecordVerdict::verdict).isEqualTo("Passed");
    }

    /** A run's warnings reach lastAnalysis as "reason: message"; one without a reason is named, never "null". */
    @Test
    void warningsKeepTheirReasonAndOneWithoutIsAnAnalysisWarning() {
        RolloutPlanner.Decision d = decide("rev1", null, true, RunObservation.absent());
        d = decide("rev1", d.status(), true, RunObservation.absent());
        RunObservation run = succeeded("0.1");
        AdversarialTestRunStatus.Warning masked = new AdversarialTestRunStatus.Warning("GradientMasking", "fgsm beat pgd");
        AdversarialTestRunStatus.Warning bare = new AdversarialTestRunStatus.Warning(null, "something odd");
        run.runStatus().warnings = List.of(masked, bare);
        d = decide("rev1", d.status(), true, run);
        assertThat(d.status().lastAnalysis.warnings).containsExactly("GradientMasking: fgsm beat pgd",
                "AnalysisWarning: something odd");
    }

    @Test
    void aFailingFirstRevisionEndsFailedWithNothingServing() {
        RobustModelStatus s = decide("rev1", null, true, RunObservation.absent()).status();
        RolloutPlanner.Decision d = decide("rev1", s, true, succeeded("0.9"));
        assertThat(d.status().phase).isEqualTo("Failed");
        assertThat(d.status().stableRevision).isNull();
        assertThat(d.status().rejectedRevision).isEqualTo("rev1");
        assertThat(d.status().lastAnalysis.violatedSlos).containsExactly("adversarialSuccessRate 0.9 > max 0.3");
        // And it stays so: no new analysis for the same spec.
        RolloutPlanner.Decision later = decide("rev1", d.status(), true, RunObservation.absent());
        assertThat(later.actions()).isEmpty();
        assertThat(later.status().phase).isEqualTo("Failed");
    }

    @Test
    void aRegressingCanaryIsRolledBackAndStableKeepsServing() {
        RobustModelStatus s = stable("rev0");
        s = decide("rev1", s, true, RunObservation.absent()).status();
        assertThat(s.canaryRevision).isEqualTo("rev1");
        // ASR 0.25 is under the 0.3 cap but 2.5x stable's 0.1.
        RolloutPlanner.Decision d = decide("rev1", s, true, succeeded("0.25"));
        assertThat(d.status().stableRevision).isEqualTo("rev0");
        assertThat(d.status().canaryRevision).isNull();
        assertThat(d.status().rejectedRevision).isEqualTo("rev1");
        assertThat(d.status().phase).isEqualTo("Degraded");
        assertThat(d.status().history.get(0).verdict).isEqualTo("Failed");
        assertThat(verdicts(d)).singleElement().satisfies(v -> {
            assertThat(v.verdict()).isEqualTo("Failed");
            assertThat(v.violatedSlos()).isNotEmpty();
        });
        assertThat(events(d)).singleElement().satisfies(a -> {
            RolloutAction.Event e = (RolloutAction.Event) a;
            assertThat(e.warning()).isTrue();
            assertThat(e.reason()).isEqualTo("RobustnessRegression");
            assertThat(e.message()).contains("more than 2 x stable's 0.1");
        });
    }

    @Test
    void inconclusiveAttemptsAreRetriedThenRolledBack() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        s = decide("rev1", s, true, RunObservation.absent()).status(); // started
        AdversarialTestRunStatus failed = new AdversarialTestRunStatus();
        failed.phase = "Failed";
        failed.error = "cannot reach http://fashion-rev1";
        RolloutPlanner.Decision d = decide("rev1", s, true, new RunObservation(true, failed, null, OURS));
        assertThat(d.status().analysis.attempt).isEqualTo(2);
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev1-a2");
        assertThat(d.status().analysis.startedAt).isNull();
        assertThat(d.status().analysis.lastInconclusive).contains("cannot reach");

        s = decide("rev1", d.status(), true, RunObservation.absent()).status();
        assertThat(s.analysis.startedAt).isNotNull();
        // The second attempt's Job dies: retries (1) are used up, so it is rolled back.
        d = decide("rev1", s, true, new RunObservation(true, running().runStatus(), "BackoffLimitExceeded: pod failed", OURS));
        assertThat(d.status().rejectedRevision).isEqualTo("rev1");
        assertThat(d.status().stableRevision).isEqualTo("rev0");
        assertThat(d.status().history.get(0).verdict).isEqualTo("Inconclusive");
        assertThat(d.status().lastAnalysis.verdict).isEqualTo("Inconclusive");
        assertThat(((RolloutAction.Event) d.actions().get(0)).reason()).isEqualTo("AnalysisInconclusive");
    }

    @Test
    void anAnalysisWithoutResultTimesOut() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        s = decide("rev1", s, true, RunObservation.absent()).status();
        assertThat(decide("rev1", s, true, running(), Requests.none(), T0.plusSeconds(900)).status().analysis.attempt).isEqualTo(1);
        RolloutPlanner.Decision d = decide("rev1", s, true, running(), Requests.none(), T0.plusSeconds(901));
        assertThat(d.status().analysis.attempt).isEqualTo(2);
        assertThat(d.status().analysis.lastInconclusive).isEqualTo("no result within 900 s");
    }

    @Test
    void missingMetricsAreNeverAPass() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        RunObservation noNumbers = succeeded(null);
        RolloutPlanner.Decision d = decide("rev1", s, true, noNumbers);
        assertThat(d.status().stableRevision).isEqualTo("rev0");
        assertThat(d.status().analysis.attempt).isEqualTo(2);
    }

    @Test
    void theSpecNamingTheRejectedRevisionStaysDegradedUntilRetried() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        s = decide("rev1", s, true, succeeded("0.9")).status();
        RolloutPlanner.Decision d = decide("rev1", s, true, RunObservation.absent());
        assertThat(d.status().phase).isEqualTo("Degraded");
        assertThat(d.actions()).isEmpty();

        d = decide("rev1", s, true, RunObservation.absent(), new Requests("1", null, null), T0);
        assertThat(d.status().rejectedRevision).isNull();
        assertThat(d.status().canaryRevision).isEqualTo("rev1");
        assertThat(d.status().analysis.attempt).isEqualTo(1);
        assertThat(d.status().analysis.runName).as("a new run, never the rejected one again").isEqualTo("fashion-rev1-a2");
        assertThat(d.actions()).extracting(Object::getClass).contains(RolloutAction.StartAnalysis.class);
        assertThat(d.status().handledRequests).containsEntry(Requests.RETRY, "1");
        // The same annotation value again is not a new request.
        RobustModelStatus rejectedAgain = decide("rev1", d.status(), true, succeeded("0.9")).status();
        assertThat(decide("rev1", rejectedAgain, true, RunObservation.absent(), new Requests("1", null, null), T0)
                .status().rejectedRevision).isEqualTo("rev1");
    }

    @Test
    void revertingTheSpecToStableDropsTheCanary() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        RolloutPlanner.Decision d = decide("rev0", s, true, RunObservation.absent());
        assertThat(d.status().canaryRevision).isNull();
        assertThat(d.status().analysis).isNull();
        assertThat(d.status().phase).isEqualTo("Ready");
        assertThat(((RolloutAction.Event) d.actions().get(0)).reason()).isEqualTo("CanarySuperseded");
    }

    @Test
    void aSecondSpecChangeDuringAnalysisSupersedesTheFirstCanary() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        s = decide("rev1", s, true, RunObservation.absent()).status();
        RolloutPlanner.Decision d = decide("rev2", s, false, RunObservation.absent());
        assertThat(d.status().canaryRevision).isEqualTo("rev2");
        assertThat(d.status().analysis.revision).isEqualTo("rev2");
        assertThat(d.status().analysis.runName).isEqualTo("fashion-rev2-a1");
        assertThat(d.status().analysis.startedAt).isNull();
    }

    @Test
    void abortRejectsTheCanaryOnce() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        RolloutPlanner.Decision d = decide("rev1", s, true, running(), new Requests(null, "alice", null), T0);
        assertThat(d.status().rejectedRevision).isEqualTo("rev1");
        assertThat(d.status().history.get(0).verdict).isEqualTo("Aborted");
        assertThat(((RolloutAction.Event) d.actions().get(0)).message()).contains("robustml.io/abort=alice");
        assertThat(decide("rev1", d.status(), true, RunObservation.absent(), new Requests(null, "alice", null), T0).actions())
                .isEmpty();
    }

    @Test
    void manualPromotionIsRecordedAsSuch() {
        RobustModelStatus s = decide("rev1", stable("rev0"), true, RunObservation.absent()).status();
        RolloutPlanner.Decision d = decide("rev1", s, false, RunObservation.absent(), new Requests(null, null, "bob: hotfix"), T0);
        assertThat(d.status().stableRevision).isEqualTo("rev1");
        assertThat(d.status().history.get(0).verdict).isEqualTo("PromotedManually");
        RolloutAction.Event e = (RolloutAction.Event) d.actions().get(0);
        assertThat(e.warning()).isTrue();
        assertThat(e.message()).contains("WITHOUT a passed analysis", "bob: hotfix");
        // A manually promoted revision is no baseline for relative SLOs.
        assertThat(RolloutPlanner.baseline(d.status(), SETTINGS)).isNull();
    }

    @Test
    void aRecentlyPassedRevisionIsPromotedAgainWithoutAnalysis() {
        RobustModelStatus s = stable("rev0");
        s = decide("rev1", s, true, RunObservation.absent()).status();
        s = decide("rev1", s, true, succeeded("0.1")).status(); // rev1 promoted
        RolloutPlanner.Decision back = decide("rev0", s, false, RunObservation.absent(), Requests.none(), T0.plusSeconds(60));
        assertThat(back.status().stableRevision).isEqualTo("rev0");
        assertThat(back.actions()).singleElement().satisfies(a ->
                assertThat(((RolloutAction.Event) a).message()).contains("without a new analysis"));
        // Outside the window, or with another suite, it is analysed again.
        RolloutPlanner.Decision late = decide("rev0", s, false, RunObservation.absent(), Requests.none(),
                T0.plus(Duration.ofHours(169)));
        assertThat(late.status().canaryRevision).isEqualTo("rev0");
        RolloutSettings otherSuite = new RolloutSettings(SETTINGS.slos(), 100, Duration.ofSeconds(900), 1, true,
                Duration.ofHours(168), "suite2",
                RolloutSettings.DEFAULT_PROGRESS_DEADLINE, false);
        assertThat(RolloutPlanner.decide(MODEL, "rev0", SHA, s, false, RunObservation.absent(), Requests.none(), otherSuite,
                T0.plusSeconds(60)).status().canaryRevision).isEqualTo("rev0");
    }

    @Test
    void withoutAutoRollbackAFailedCanaryWaitsForAHuman() {
        RolloutSettings manual = settings(false);
        RobustModelStatus s = RolloutPlanner.decide(MODEL, "rev1", SHA, stable("rev0"), true, RunObservation.absent(),
                Requests.none(), manual, T0).status();
        RolloutPlanner.Decision d = RolloutPlanner.decide(MODEL, "rev1", SHA, s, true, succeeded("0.9"), Requests.none(), manual, T0);
        assertThat(d.status().canaryRevision).isEqualTo("rev1");
        assertThat(d.status().analysis.held).isTrue();
        assertThat(d.status().phase).isEqualTo("Degraded");
        RolloutPlanner.Decision later = RolloutPlanner.decide(MODEL, "rev1", SHA, d.status(), true, succeeded("0.9"),
                Requests.none(), manual, T0.plusSeconds(10));
        assertThat(later.actions()).isEmpty();
        assertThat(RolloutPlanner.decide(MODEL, "rev1", SHA, d.status(), true, succeeded("0.9"), new Requests(null, "x", null),
                manual, T0).status().rejectedRevision).isEqualTo("rev1");
    }

    @Test
    void runNamesAreValidJobNames() {
        String name = RolloutPlanner.runName("m".repeat(60) + "-x", "0123456789", 10);
        assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-0123456789-a10").doesNotContain("--");
        assertThat(RolloutPlanner.runName("fashion", "abc", 1)).isEqualTo("fashion-abc-a1");
    }

    @Test
    void historyKeepsTheNewestTen() {
        RobustModelStatus s = stable("rev0");
        for (int i = 1; i <= 12; i++) {
            s = decide("r" + i, s, true, RunObservation.absent()).status();
            s = decide("r" + i, s, true, succeeded("0.1")).status();
        }
        assertThat(s.history).hasSize(10);
        assertThat(s.history.get(0).revision).isEqualTo("r12");
        assertThat(List.of(s.stableRevision)).containsExactly("r12");
    }

    // --- Baseline runs: a stable revision without its own numbers for the suite is measured beside the canary.

    private static RolloutPlanner.Decision decide(String desired, RobustModelStatus s, RunObservation run,
            RunObservation baseline, Instant now) {
        return RolloutPlanner.decide(MODEL, desired, SHA, s, true, run, baseline, Requests.none(), SETTINGS, now);
    }

    /** rev0 promoted by robustml.io/promote: no numbers of its own. */
    private static RobustModelStatus promotedManually(String revision) {
        return decide(revision, null, false, RunObservation.absent(), new Requests(null, null, "alice: hotfix"), T0).status();
    }

    private static RunObservation baselineSucceeded(String asr, String clean) {
        RunObservation r = succeeded(asr);
        r.runStatus().cleanAccuracy = io.robustml.crds.Decimals.value(clean);
        return r;
    }

    private static List<RolloutAction> starts(RolloutPlanner.Decision d) {
        return d.actions().stream().filter(a -> a instanceof RolloutAction.StartAnalysis || a instanceof RolloutAction.StartBaseline)
                .toList();
    }

    private static List<RolloutAction.Event> events(RolloutPlanner.Decision d) {
        return d.actions().stream().filter(RolloutAction.Event.class::isInstance).map(RolloutAction.Event.class::cast).toList();
    }

    private static List<RolloutAction.RecordVerdict> verdicts(RolloutPlanner.Decision d) {
        return d.actions().stream().filter(RolloutAction.RecordVerdict.class::isInstance).map(RolloutAction.RecordVerdict.class::cast)
                .toList();
    }

    @Test
    void aCanaryOfAManuallyPromotedStableStartsOneBaselineRunRecordedBeforeActing() {
        RobustModelStatus s = promotedManually("rev0");
        // Canary not Ready: no analysis, no baseline yet.
        RolloutPlanner.Decision d = decide("rev1", s, false, RunObservation.absent());
        assertThat(d.status().analysis.baselineRunName).isNull();
        d = decide("rev1", d.status(), RunObservation.absent(), RunObservation.absent(), T0);
        assertThat(d.status().analysis.baselineRunName).isEqualTo("fashion-rev0-b1");
        assertThat(d.status().analysis.baselineRevision).isEqualTo("rev0");
        assertThat(d.status().analysis.baselineStartedAt).isEqualTo(T0.toString());
        assertThat(starts(d)).containsExactly(new RolloutAction.StartBaseline("fashion-rev0-b1", "rev0", OURS),
                new RolloutAction.StartAnalysis("fashion-rev1-a1", "rev1", 1, OURS));
        assertThat(d.actions()).anySatisfy(a -> assertThat(a).isInstanceOfSatisfying(RolloutAction.Event.class,
                e -> assertThat(e.reason()).isEqualTo("BaselineStarted")));

        // Both running: nothing new is started, no second baseline.
        RolloutPlanner.Decision next = decide("rev1", d.status(), running(), running(), T0.plusSeconds(30));
        assertThat(next.actions()).isEmpty();
        assertThat(next.status().analysis.baselineRunName).isEqualTo("fashion-rev0-b1");
    }

    @Test
    void aRestartedOperatorResumesTheBaselineWithoutASecondOne() {
        RobustModelStatus s = decide("rev1", promotedManually("rev0"), false, RunObservation.absent()).status();
        s = decide("rev1", s, RunObservation.absent(), RunObservation.absent(), T0).status();
        // Restarted: neither run in the cache yet; the same names are asked for again (create-if-absent).
        RolloutPlanner.Decision again = decide("rev1", s, RunObservation.absent(), RunObservation.absent(),
                T0.plusSeconds(5));
        assertThat(starts(again)).containsExactly(new RolloutAction.StartBaseline("fashion-rev0-b1", "rev0", OURS),
                new RolloutAction.StartAnalysis("fashion-rev1-a1", "rev1", 1, OURS));
        assertThat(again.status().analysis.baselineStartedAt).isEqualTo(T0.toString());
        assertThat(again.actions()).noneSatisfy(a -> assertThat(a).isInstanceOf(RolloutAction.Event.class));
    }

    @Test
    void theCanarysVerdictWaitsForTheBaselineThenUsesIt() {
        RobustModelStatus s = decide("rev1", promotedManually("rev0"), false, RunObservation.absent()).status();
        s = decide("rev1", s, RunObservation.absent(), RunObservation.absent(), T0).status();
        // The canary finished first: its verdict waits for the baseline.
        RolloutPlanner.Decision d = decide("rev1", s, succeeded("0.25"), running(), T0.plusSeconds(60));
        assertThat(d.status().canaryRevision).isEqualTo("rev1");
        assertThat(d.status().phase).isEqualTo("Progressing");
        assertThat(d.status().lastAnalysis).isNull();
        assertThat(d.actions()).isEmpty();

        // Stable measured at ASR 0.1: the canary's 0.25 is under the 0.3 cap but 2.5x stable's.
        d = decide("rev1", d.status(), succeeded("0.25"), baselineSucceeded("0.1", "0.92"), T0.plusSeconds(90));
        assertThat(d.status().rejectedRevision).isEqualTo("rev1");
        assertThat(d.status().stableRevision).isEqualTo("rev0");
        assertThat(d.status().history).extracting(r -> r.revision + ":" + r.verdict)
                .containsExactly("rev1:Failed", "rev0:Baseline", "rev0:PromotedManually");
        RobustModelStatus.RevisionRecord baseline = d.status().history.get(1);
        assertThat(baseline.runName).isEqualTo("fashion-rev0-b1");
        assertThat(baseline.suite).isEqualTo("suite1");
        assertThat(baseline.adversarialSuccessRate).isEqualTo("0.1");
        assertThat(baseline.cleanAccuracy).isEqualTo("0.92");
        assertThat(baseline.modelSha256).isEqualTo(SHA);
        assertThat(d.status().lastAnalysis.violatedSlos).containsExactly("adversarialSuccessRate 0.25 is more than 2 x stable's 0.1");
        assertThat(events(d)).extracting(a -> ((RolloutAction.Event) a).reason())
                .containsExactly("BaselineMeasured", "RobustnessRegression");
    }

    @Test
    void aMeasuredBaselineIsReusedByTheNextCanary() {
        RobustModelStatus s = decide("rev1", promotedManually("rev0"), false, RunObservation.absent()).status();
        s = decide("rev1", s, RunObservation.absent(), RunObservation.absent(), T0).status();
        s = decide("rev1", s, succeeded("0.25"), baselineSucceeded("0.1", "0.92"), T0.plusSeconds(90)).status();
        assertThat(s.rejectedRevision).isEqualTo("rev1");
        assertThat(RolloutPlanner.baseline(s, SETTINGS)).isEqualTo(RunMetrics.baseline("0.92", "0.1"));

        // Next canary: no baseline run, judged against the recorded numbers at once.
        RolloutPlanner.Decision d = decide("rev2", s, RunObservation.absent(), RunObservation.absent(), T0.plusSeconds(100));
        assertThat(d.status().analysis.baselineRunName).isNull();
        assertThat(starts(d)).containsExactly(new RolloutAction.StartAnalysis("fashion-rev2-a1", "rev2", 1, ours(T0.plusSeconds(100))));
        d = decide("rev2", d.status(), startedAt(succeeded("0.15"), T0.plusSeconds(100)), RunObservation.absent(), T0.plusSeconds(200));
        assertThat(d.status().stableRevision).isEqualTo("rev2");
        assertThat(events(d).get(0).message()).doesNotContain("not applicable");
        // Another suite has no baseline: measured again, under the next name.
        RolloutSettings otherSuite = new RolloutSettings(SETTINGS.slos(), 100, Duration.ofSeconds(900), 1, true,
                Duration.ofHours(168), "suite2",
                RolloutSettings.DEFAULT_PROGRESS_DEADLINE, false);
        RobustModelStatus again = RolloutPlanner.decide(MODEL, "rev3", SHA, d.status(), true, RunObservation.absent(),
                Requests.none(), otherSuite, T0.plusSeconds(300)).status();
        assertThat(again.analysis.baselineRunName).isEqualTo("fashion-rev2-b1");
    }

    @Test
    void aFailedBaselineLeavesTheCanaryJudgedWithoutItAndSaysSo() {
        RobustModelStatus s = decide("rev1", promotedManually("rev0"), false, RunObservation.absent()).status();
        s = decide("rev1", s, RunObservation.absent(), RunObservation.absent(), T0).status();
        AdversarialTestRunStatus failed = new AdversarialTestRunStatus();
        failed.phase = "Failed";
        failed.error = "cannot reach http://fashion-rev0";
        RolloutPlanner.Decision d = decide("rev1", s, running(), new RunObservation(true, failed, null, OURS), T0.plusSeconds(60));
        assertThat(d.status().analysis.baselineRunName).isNull();
        assertThat(d.status().analysis.baselineUnavailable).contains("cannot reach");
        assertThat(d.status().history.get(0).verdict).isEqualTo("BaselineUnavailable");
        assertThat(d.actions()).singleElement().satisfies(a -> {
            RolloutAction.Event e = (RolloutAction.Event) a;
            assertThat(e.warning()).isTrue();
            assertThat(e.reason()).isEqualTo("BaselineUnavailable");
        });

        // Passed on the absolute SLOs only, and the summary says the baseline could not be measured.
        RolloutPlanner.Decision pass = decide("rev1", d.status(), succeeded("0.25"), RunObservation.absent(), T0.plusSeconds(90));
        assertThat(pass.status().stableRevision).isEqualTo("rev1");
        assertThat(events(pass).get(0).message())
                .contains("not applicable: maxAdversarialSuccessRateRatio (stable's baseline could not be measured: "
                        + "the tester could not measure: cannot reach");
        // Never a pass on missing data: an absolute SLO the canary did not measure stays Inconclusive.
        RolloutPlanner.Decision missing = decide("rev1", d.status(), succeeded(null), RunObservation.absent(),
                T0.plusSeconds(90));
        assertThat(missing.status().stableRevision).isEqualTo("rev0");
        assertThat(missing.status().analysis.attempt).isEqualTo(2);
        assertThat(missing.status().analysis.lastInconclusive).contains("adversarialSuccessRate not measured",
                "stable's baseline could not be measured");
        // The retry does not measure the baseline again.
        assertThat(missing.actions()).noneSatisfy(a -> assertThat(a).isInstanceOf(RolloutAction.StartBaseline.class));
        RolloutPlanner.Decision retry = decide("rev1", missing.status(), RunObservation.absent(), RunObservation.absent(),
                T0.plusSeconds(100));
        assertThat(starts(retry)).containsExactly(new RolloutAction.StartAnalysis("fashion-rev1-a2", "rev1", 2, ours(T0.plusSeconds(100))));
        // A promoted canary's own numbers are the next baseline: no baseline run for the next canary.
        RobustModelStatus next = decide("rev2", pass.status(), RunObservation.absent(), RunObservation.absent(),
                T0.plusSeconds(200)).status();
        assertThat(next.analysis.baselineRunName).isNull();
        // A canary superseding the one judged without a baseline tries again, under a new name.
        RobustModelStatus superseding = decide("rev2", d.status(), RunObservation.absent(), RunObservation.absent(),
                T0.plusSeconds(200)).status();
        assertThat(superseding.analysis.baselineRunName).isEqualTo("fashion-rev0-b2");
    }

    @Test
    void aBaselineWithoutResultTimesOutOrIsIncompleteAndTheCanaryIsJudgedWithoutIt() {
        RobustModelStatus s = decide("rev1", promotedManually("rev0"), false, RunObservation.absent()).status();
        s = decide("rev1", s, RunObservation.absent(), RunObservation.absent(), T0).status();
        RolloutPlanner.Decision late = decide("rev1", s, succeeded("0.1"), running(), T0.plusSeconds(901));
        assertThat(late.status().stableRevision).isEqualTo("rev1");
        assertThat(late.status().history).extracting(r -> r.verdict)
                .containsExactly("Passed", "BaselineUnavailable", "PromotedManually");
        assertThat(events(late)).extracting(a -> ((RolloutAction.Event) a).message())
                .anySatisfy(m -> assertThat(m).contains("no result within 900 s"));

        RolloutPlanner.Decision jobFailed = decide("rev1", s, running(), new RunObservation(true, running().runStatus(),
                "DeadlineExceeded", OURS), T0.plusSeconds(60));
        assertThat(jobFailed.status().analysis.baselineUnavailable).contains("its Job failed: DeadlineExceeded");

        RunObservation few = baselineSucceeded("0.1", "0.9");
        few.runStatus().samples = 10;
        RolloutPlanner.Decision incomplete = decide("rev1", s, running(), few, T0.plusSeconds(60));
        assertThat(incomplete.status().analysis.baselineUnavailable).contains("measured 10 examples of 100");
        assertThat(RolloutPlanner.baseline(incomplete.status(), SETTINGS)).isNull();
    }

    @Test
    void noBaselineRunWithoutRelativeSlosOrForTheFirstRevision() {
        SlosSpec absolute = new SlosSpec();
        absolute.maxAdversarialSuccessRate = "0.3";
        RolloutSettings onlyAbsolute = new RolloutSettings(absolute, 100, Duration.ofSeconds(900), 1, true,
                Duration.ofHours(168), "suite1",
                RolloutSettings.DEFAULT_PROGRESS_DEADLINE, false);
        RobustModelStatus s = RolloutPlanner.decide(MODEL, "rev1", SHA, promotedManually("rev0"), true, RunObservation.absent(),
                RunObservation.absent(), Requests.none(), onlyAbsolute, T0).status();
        assertThat(s.analysis.baselineRunName).isNull();
        RolloutPlanner.Decision first = decide("rev1", null, RunObservation.absent(), RunObservation.absent(), T0);
        assertThat(first.status().analysis.baselineRunName).isNull();
        assertThat(starts(first)).containsExactly(new RolloutAction.StartAnalysis("fashion-rev1-a1", "rev1", 1, OURS));
        assertThat(RolloutPlanner.baselineRunName("m".repeat(70), "0123456789", 3)).hasSize(63).endsWith("-0123456789-b3");
    }
}
