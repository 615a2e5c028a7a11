package io.robustml.controllers.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.controllers.dependent.DetectorConfigMap;
import io.robustml.controllers.rollout.RolloutAction;
import io.robustml.controllers.rollout.RolloutPlanner;
import io.robustml.controllers.rollout.RolloutSettings;
import io.robustml.controllers.rollout.ServingPlan;
import io.robustml.crds.model.RobustModelSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RolloutSpec;
import io.robustml.crds.model.RolloutSpec.GuardAction;
import io.robustml.crds.model.SlosSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PostPromotionGuardTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    static final RolloutSettings ROLLOUT = new RolloutSettings(new SlosSpec(), 100, Duration.ofSeconds(900), 1, true,
            Duration.ofHours(168), "suite1", RolloutSettings.DEFAULT_PROGRESS_DEADLINE, false);
    static final Baseline BASELINE = new Baseline(0.02, "spec");
    static final PostPromotionGuard.Target KEPT = new PostPromotionGuard.Target(true, false);

    static Optional<GuardSettings> guard(GuardAction action) {
        return Optional.of(new GuardSettings(action, List.of(GuardSettings.Window.of(RolloutSpec.BurnWindow.of("2m", "30s", "5"))),
                Optional.empty(), 20));
    }

    /** {@code alerts} of 30 requests in each window. */
    static Optional<BurnRate.Evaluation> rates(long alerts) {
        GuardSettings.Window w = guard(GuardAction.ALERT).orElseThrow().windows().get(0);
        SidecarCounts c = new SidecarCounts(alerts, 30);
        return Optional.of(new BurnRate.Evaluation(0.02, List.of(new BurnRate.Pair(w, c, c, c.rate() > 0.1))));
    }

    /** Stable "b" promoted (passed) after "a" (passed), both with the current suite. */
    static RobustModelStatus servingBAfterA() {
        RobustModelStatus s = new RobustModelStatus();
        s.stableRevision = "b";
        s.rollbackRevision = "a";
        s.phase = "Ready";
        s.history = new ArrayList<>(List.of(record("b", "Passed", "fashion-b-a1"), record("a", "Passed", "fashion-a-a1")));
        return s;
    }

    static RobustModelStatus.RevisionRecord record(String revision, String verdict, String run) {
        RobustModelStatus.RevisionRecord r = new RobustModelStatus.RevisionRecord();
        r.revision = revision;
        r.verdict = verdict;
        r.runName = run;
        r.suite = "suite1";
        r.at = T0.minusSeconds(3600).toString();
        r.adversarialSuccessRate = "0.2";
        return r;
    }

    static RolloutPlanner.Decision decide(RobustModelStatus s, GuardAction action, Optional<BurnRate.Evaluation> rates,
            PostPromotionGuard.Target target, Instant now) {
        return PostPromotionGuard.decide(s, guard(action), rates, BASELINE, target, ROLLOUT, now);
    }

    static List<String> reasons(RolloutPlanner.Decision d) {
        return d.actions().stream().map(a -> ((RolloutAction.Event) a).reason()).toList();
    }

    @Test
    void alertOnlyRecordsAndEventsTheNumbersAndFallsQuietWhenTheRatesDo() {
        RolloutPlanner.Decision quiet = decide(servingBAfterA(), GuardAction.ALERT, rates(1), KEPT, T0);
        assertThat(quiet.status().guard.state).isEqualTo(PostPromotionGuard.QUIET);
        assertThat(quiet.status().guard.revision).isEqualTo("b");
        assertThat(quiet.status().guard.baselineRate).isEqualTo("0.02");
        assertThat(quiet.actions()).isEmpty();

        RolloutPlanner.Decision burning = decide(quiet.status(), GuardAction.ALERT, rates(9), KEPT, T0.plusSeconds(5));
        assertThat(burning.status().guard.state).isEqualTo(PostPromotionGuard.BURNING);
        assertThat(burning.status().guard.message).contains("9/30", "15.0x", "fires above 5x");
        assertThat(reasons(burning)).containsExactly("GuardBurning");
        assertThat(DetectorConfigMap.blocks(new RobustModelSpec(), burning.status())).as("alert never blocks").isFalse();
        assertThat(decide(burning.status(), GuardAction.ALERT, rates(9), KEPT, T0.plusSeconds(10)).actions())
                .as("one event per transition").isEmpty();

        RolloutPlanner.Decision again = decide(burning.status(), GuardAction.ALERT, rates(0), KEPT, T0.plusSeconds(15));
        assertThat(again.status().guard.state).isEqualTo(PostPromotionGuard.QUIET);
        assertThat(reasons(again)).containsExactly("GuardQuiet");
    }

    @Test
    void containBlocksUntilTheRatesFallBackAndNothingReadLeavesTheStateAsItIs() {
        RolloutPlanner.Decision contained = decide(servingBAfterA(), GuardAction.CONTAIN, rates(9), KEPT, T0);
        assertThat(contained.status().guard.state).isEqualTo(PostPromotionGuard.CONTAINED);
        assertThat(reasons(contained)).containsExactly("GuardContained");
        assertThat(DetectorConfigMap.blocks(new RobustModelSpec(), contained.status())).isTrue();
        assertThat(decide(contained.status(), GuardAction.CONTAIN, Optional.empty(), KEPT, T0.plusSeconds(5)).status().guard.state)
                .as("an operator just restarted has read too little to lift anything").isEqualTo(PostPromotionGuard.CONTAINED);
        RolloutPlanner.Decision lifted = decide(contained.status(), GuardAction.CONTAIN, rates(0), KEPT, T0.plusSeconds(10));
        assertThat(lifted.status().guard.state).isEqualTo(PostPromotionGuard.QUIET);
        assertThat(((RolloutAction.Event) lifted.actions().get(0)).message()).endsWith("containment lifted");
        assertThat(DetectorConfigMap.blocks(new RobustModelSpec(), lifted.status())).isFalse();
    }

    @Test
    void rollbackScalesThePreviousRevisionUpThenServesItAndRejectsTheOneThatBurned() {
        RolloutPlanner.Decision contained = decide(servingBAfterA(), GuardAction.CONTAIN, rates(9), KEPT, T0);
        assertThat(ServingPlan.replicas(contained.status(), 3, 1)).as("kept with no pods").containsEntry("b", 3).containsEntry("a", 0);

        // The spec now asks for rollback while it still burns: escalate.
        RolloutPlanner.Decision rolling = decide(contained.status(), GuardAction.ROLLBACK, rates(9), KEPT, T0.plusSeconds(5));
        assertThat(rolling.status().guard.state).isEqualTo(PostPromotionGuard.ROLLING_BACK);
        assertThat(rolling.status().guard.rollbackTo).isEqualTo("a");
        assertThat(reasons(rolling)).containsExactly("GuardRollingBack");
        assertThat(ServingPlan.replicas(rolling.status(), 3, 1)).as("a scaled up beside b").containsEntry("b", 3).containsEntry("a", 3);
        assertThat(DetectorConfigMap.blocks(new RobustModelSpec(), rolling.status())).as("b blocks meanwhile").isTrue();

        // Not Ready yet; the attack stopping does not undo a rollback under way.
        assertThat(decide(rolling.status(), GuardAction.ROLLBACK, rates(0), KEPT, T0.plusSeconds(10)).status().guard.state)
                .isEqualTo(PostPromotionGuard.ROLLING_BACK);

        RolloutPlanner.Decision back = decide(rolling.status(), GuardAction.ROLLBACK, rates(9),
                new PostPromotionGuard.Target(true, true), T0.plusSeconds(20));
        RobustModelStatus s = back.status();
        assertThat(s.stableRevision).isEqualTo("a");
        assertThat(s.rejectedRevision).isEqualTo("b");
        assertThat(s.rollbackRevision).isNull();
        assertThat(s.guard.revision).isEqualTo("a");
        assertThat(s.guard.state).isEqualTo(PostPromotionGuard.QUIET);
        assertThat(s.history.get(0).revision).isEqualTo("b");
        assertThat(s.history.get(0).verdict).isEqualTo("GuardRolledBack");
        assertThat(s.history.get(1).revision).isEqualTo("a");
        assertThat(s.history.get(1).verdict).isEqualTo("Passed");
        assertThat(reasons(back)).containsExactly("Promoted", "GuardRolledBack");
        assertThat(((RolloutAction.Event) back.actions().get(1)).message()).contains("9/30");
        assertThat(ServingPlan.replicas(s, 3, 1)).as("b's pods go").containsOnlyKeys("a");
        assertThat(RolloutPlanner.recentPass(s, "b", ROLLOUT, T0.plusSeconds(30)))
                .as("b comes back only through a new analysis, not from its old pass").isEmpty();
    }

    @Test
    void rollbackWithNothingToRollBackToContainsAndSaysWhy() {
        RobustModelStatus first = servingBAfterA();
        first.rollbackRevision = null;
        RolloutPlanner.Decision none = decide(first, GuardAction.ROLLBACK, rates(9), PostPromotionGuard.Target.ABSENT, T0);
        assertThat(none.status().guard.state).isEqualTo(PostPromotionGuard.CONTAINED);
        assertThat(reasons(none)).containsExactly("GuardContained", "GuardRollbackUnavailable");
        assertThat(((RolloutAction.Event) none.actions().get(1)).message()).contains("no previous stable revision is kept");

        RobustModelStatus otherSuite = servingBAfterA();
        otherSuite.history.get(1).suite = "suite0";
        assertThat(((RolloutAction.Event) decide(otherSuite, GuardAction.ROLLBACK, rates(9), KEPT, T0).actions().get(1)).message())
                .contains("previous revision a has no pass with the current suite");

        RobustModelStatus canary = servingBAfterA();
        canary.canaryRevision = "c";
        assertThat(((RolloutAction.Event) decide(canary, GuardAction.ROLLBACK, rates(9), KEPT, T0).actions().get(1)).message())
                .contains("canary c is under analysis");

        RolloutPlanner.Decision rolling = decide(servingBAfterA(), GuardAction.ROLLBACK, rates(9), KEPT, T0);
        RolloutPlanner.Decision gone = decide(rolling.status(), GuardAction.ROLLBACK, rates(9), PostPromotionGuard.Target.ABSENT,
                T0.plusSeconds(5));
        assertThat(gone.status().guard.state).isEqualTo(PostPromotionGuard.CONTAINED);
        assertThat(reasons(gone)).containsExactly("GuardRollbackUnavailable");
        assertThat(((RolloutAction.Event) gone.actions().get(0)).message()).contains("revision a is gone");
    }

    @Test
    void withoutAGuardNothingIsKeptAndANewStableStartsQuiet() {
        RolloutPlanner.Decision off = PostPromotionGuard.decide(servingBAfterA(), Optional.empty(), rates(9), BASELINE, KEPT, ROLLOUT, T0);
        assertThat(off.status().guard).isNull();
        assertThat(off.status().rollbackRevision).isNull();
        assertThat(ServingPlan.replicas(off.status(), 3, 1)).containsOnlyKeys("b");

        RobustModelStatus contained = decide(servingBAfterA(), GuardAction.CONTAIN, rates(9), KEPT, T0).status();
        contained.stableRevision = "c"; // a canary promoted meanwhile
        contained.rollbackRevision = "b";
        RolloutPlanner.Decision fresh = decide(contained, GuardAction.CONTAIN, Optional.empty(), KEPT, T0.plusSeconds(5));
        assertThat(fresh.status().guard.revision).isEqualTo("c");
        assertThat(fresh.status().guard.state).isEqualTo(PostPromotionGuard.QUIET);
    }
}
