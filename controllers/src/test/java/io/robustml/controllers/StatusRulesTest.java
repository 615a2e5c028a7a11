package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.status.Conditions;
import io.robustml.controllers.status.ServingProblem;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final ServingReadiness NOT_READY = new ServingReadiness(false, "PodsNotReady", "0 of 2");
    private static final ServingReadiness READY = new ServingReadiness(true, "Serving", "2 of 2");

    private static RobustModelStatus decided(String phase, String stable, String canary, String rejected) {
        RobustModelStatus s = new RobustModelStatus();
        s.phase = phase;
        s.stableRevision = stable;
        s.canaryRevision = canary;
        s.rejectedRevision = rejected;
        if (canary != null) {
            s.analysis = new RobustModelStatus.AnalysisProgress();
            s.analysis.revision = canary;
            s.analysis.runName = "m-" + canary + "-a1";
        }
        return s;
    }

    @Test
    void theRecordedStatusCarriesTheLoanTheRouteAndTheDetectorInForceWithoutEditingTheDecision() {
        RobustModelStatus canary = decided("Progressing", "abc", "def", null);
        RobustModelStatus.DetectorCalibrationStatus detector = new RobustModelStatus.DetectorCalibrationStatus();
        detector.revision = "abc";
        RobustModelStatus s = StatusRules.next(canary, new StatusRules.Observed(2, "def", READY, NOT_READY, Optional.empty(),
                Optional.of(1), "m", detector), NOW);
        assertThat(s.analysis.stableReplicasLent).as("the stable pod lent to the canary's GPUs").isEqualTo(1);
        assertThat(s.trafficRoute).isEqualTo("m");
        assertThat(s.detector).isSameAs(detector);
        assertThat(canary.analysis.stableReplicasLent).as("the planner's decision is not edited").isNull();
        assertThat(canary.trafficRoute).isNull();

        RobustModelStatus stable = StatusRules.next(decided("Ready", "abc", null, null), new StatusRules.Observed(2, "abc",
                READY, READY, Optional.empty(), Optional.of(1), null, null), NOW);
        assertThat(stable.analysis).as("no analysis, nothing to lend to").isNull();
        assertThat(stable.trafficRoute).isNull();
    }

    @Test
    void aFailedReScanKeepsTheServingModelDegradedWhileAnotherReScanRuns() {
        RobustModelStatus decided = decided("Ready", "abc", null, null);
        decided.lastRescan = new RobustModelStatus.AnalysisSummary();
        decided.lastRescan.revision = "abc";
        decided.lastRescan.runName = "m-abc-r1";
        decided.lastRescan.verdict = "Failed";
        decided.lastRescan.violatedSlos = List.of("adversarialSuccessRate 0.9 > max 0.3");
        decided.rescan = new RobustModelStatus.AnalysisProgress(); // the planner follows a newer suite's re-scan
        decided.rescan.revision = "abc";
        decided.rescan.runName = "m-abc-r2";
        RobustModelStatus s = next(decided, 4, "abc", READY, READY, Optional.empty(), NOW);
        assertThat(s.phase).as("the phase says what the condition says").isEqualTo("Degraded");
        assertThat(Conditions.find(s.conditions, "Degraded").orElseThrow().getReason()).isEqualTo("RescanFailed");
        assertThat(Conditions.find(s.conditions, "Ready").orElseThrow().getStatus()).as("still serving").isEqualTo("True");
    }

    @Test
    void aProblemMakesTheModelDegradedWithItsReason() {
        RobustModelStatus s = next(decided("Progressing", null, "abc", null), 3, "abc", null, NOT_READY,
                Optional.of(new ServingProblem("InsufficientGPU", "no node has 4 free nvidia.com/gpu")), NOW);
        assertThat(s.phase).isEqualTo("Degraded");
        assertThat(s.observedGeneration).isEqualTo(3L);
        assertThat(Conditions.find(s.conditions, "Degraded").orElseThrow().getReason()).isEqualTo("InsufficientGPU");
        assertThat(Conditions.find(s.conditions, "Ready").orElseThrow().getReason()).isEqualTo("InsufficientGPU");
    }

    @Test
    void aFirstRevisionWithReadyPodsIsAnalysedNotReady() {
        RobustModelStatus s = next(decided("Progressing", null, "abc", null), 1, "abc", null, READY,
                Optional.empty(), NOW);
        assertThat(s.phase).isEqualTo("Progressing");
        assertThat(Conditions.isTrue(s.conditions, "Ready")).isFalse();
        assertThat(Conditions.find(s.conditions, "Ready").orElseThrow().getReason()).isEqualTo("Analyzing");
        assertThat(Conditions.find(s.conditions, "Progressing").orElseThrow().getMessage()).contains("run m-abc-a1");
    }

    @Test
    void aRejectedCanaryLeavesStableServingAndSaysWhy() {
        RobustModelStatus d = decided("Degraded", "old", null, "new");
        RobustModelStatus.RevisionRecord r = new RobustModelStatus.RevisionRecord();
        r.revision = "new";
        r.verdict = "Failed";
        d.history = List.of(r);
        d.lastAnalysis = new RobustModelStatus.AnalysisSummary();
        d.lastAnalysis.revision = "new";
        d.lastAnalysis.violatedSlos = List.of("adversarialSuccessRate 0.9 > max 0.3");
        RobustModelStatus s = next(d, 2, "new", READY, NOT_READY, Optional.empty(), NOW);
        assertThat(s.phase).isEqualTo("Degraded");
        assertThat(Conditions.isTrue(s.conditions, "Ready")).isTrue();
        assertThat(Conditions.find(s.conditions, "Degraded").orElseThrow()).satisfies(c -> {
            assertThat(c.getReason()).isEqualTo("RobustnessRegression");
            assertThat(c.getMessage()).contains("adversarialSuccessRate 0.9 > max 0.3", "robustml.io/retry");
        });
        assertThat(Conditions.find(s.conditions, "Progressing").orElseThrow().getReason()).isEqualTo("RolledBack");
    }

    @Test
    void readyIsStableAndASecondIdenticalObservationChangesNothing() {
        RobustModelStatus first = next(decided("Ready", "abc", null, null), 1, "abc", READY, READY,
                Optional.empty(), NOW);
        RobustModelStatus second = next(first, 1, "abc", READY, READY, Optional.empty(), NOW.plusSeconds(60));
        assertThat(first.phase).isEqualTo("Ready");
        assertThat(Serialization.asJson(second)).isEqualTo(Serialization.asJson(first));
    }

    @Test
    void aStableRevisionScalingUpIsPendingNotReady() {
        RobustModelStatus s = next(decided("Ready", "abc", null, null), 1, "abc", NOT_READY, NOT_READY,
                Optional.empty(), NOW);
        assertThat(s.phase).isEqualTo("Pending");
        assertThat(Conditions.find(s.conditions, "Ready").orElseThrow().getReason()).isEqualTo("PodsNotReady");
    }

    @Test
    void aMaskingWarningOfTheLatestVerdictIsAConditionUntilAVerdictWithoutOne() {
        RobustModelStatus decided = decided("Ready", "abc", null, null);
        decided.lastAnalysis = new RobustModelStatus.AnalysisSummary();
        decided.lastAnalysis.runName = "m-abc-a1";
        decided.lastAnalysis.revision = "abc";
        decided.lastAnalysis.warnings = List.of("GradientMasking: fgsm-linf-0.1 (0.6) beat pgd-linf-0.1 (0.4)");
        RobustModelStatus s = next(decided, 2, "abc", READY, READY, Optional.empty(), NOW);
        assertThat(Conditions.find(s.conditions, Conditions.ROBUSTNESS_WARNING)).get().satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("GradientMasking");
            assertThat(c.getMessage()).contains("m-abc-a1", "fgsm-linf-0.1 (0.6) beat pgd-linf-0.1 (0.4)");
        });

        s.lastAnalysis.warnings = null;
        RobustModelStatus clean = next(s, 3, "abc", READY, READY, Optional.empty(), NOW);
        assertThat(Conditions.find(clean.conditions, Conditions.ROBUSTNESS_WARNING)).get()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
        assertThat(Conditions.find(next(decided("Ready", "abc", null, null), 1, "abc", READY, READY,
                Optional.empty(), NOW).conditions, Conditions.ROBUSTNESS_WARNING)).as("never warned: no condition").isEmpty();
    }

    /** The decision completed with readiness and problem only (no GPU loan, route or calibrated detector). */
    private static RobustModelStatus next(RobustModelStatus decided, long generation, String desiredRevision,
            ServingReadiness stable, ServingReadiness desired, Optional<ServingProblem> problem, java.time.Instant now) {
        return StatusRules.next(decided, new StatusRules.Observed(generation, desiredRevision, stable, desired, problem,
                Optional.empty(), null, null), now);
    }
}
