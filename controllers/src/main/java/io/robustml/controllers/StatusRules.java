package io.robustml.controllers;

import io.robustml.controllers.rollout.RolloutPlanner;
import io.robustml.controllers.status.Conditions;
import io.robustml.controllers.status.Phase;
import io.robustml.controllers.status.Reasons;
import io.robustml.controllers.status.ServingProblem;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * Phase and conditions from the rollout decision and what the serving pods show; pure, so every
 * combination is unit-tested. Ready means "a revision that passed its analysis is serving".
 */
public final class StatusRules {
    private StatusRules() {
    }

    /**
     * What the reconciler observed besides the rollout decision, for the status to record.
     *
     * @param stable             readiness of the stable revision's pods, null when there is no stable revision
     * @param desired            readiness of the pods of the revision the spec names
     * @param problem            why the desired revision's pods are not becoming Ready, if known
     * @param stableReplicasLent stable pods a canary was lent now for its GPUs ({@code GpuCapacity}), if any
     * @param trafficRoute       the model's weighted HTTPRoute, null when traffic goes by replicas
     * @param detector           the calibrated detector settings in force for the stable revision, null when none
     */
    public record Observed(long generation, String desiredRevision, ServingReadiness stable, ServingReadiness desired,
            Optional<ServingProblem> problem, Optional<Integer> stableReplicasLent, String trafficRoute,
            RobustModelStatus.DetectorCalibrationStatus detector) {
    }

    /**
     * The whole status to record: the planner's decision completed by what was observed. Nothing edits it afterwards.
     *
     * @param decided the status the rollout planner decided (not modified)
     */
    public static RobustModelStatus next(RobustModelStatus decided, Observed observed, Instant now) {
        long generation = observed.generation();
        String desiredRevision = observed.desiredRevision();
        ServingReadiness stable = observed.stable();
        ServingReadiness desired = observed.desired();
        Optional<ServingProblem> problem = observed.problem();
        RobustModelStatus s = io.fabric8.kubernetes.client.utils.Serialization.clone(decided);
        s.observedGeneration = generation;
        if (s.analysis != null) {
            observed.stableReplicasLent().ifPresent(lent -> s.analysis.stableReplicasLent = lent);
        }
        s.trafficRoute = observed.trafficRoute();
        s.detector = observed.detector();
        boolean serving = s.stableRevision != null && stable != null && stable.ready();
        boolean rejected = desiredRevision.equals(s.rejectedRevision);
        boolean held = s.analysis != null && Boolean.TRUE.equals(s.analysis.held);

        String readyReason;
        String readyMessage;
        if (serving) {
            readyReason = Reasons.SERVING;
            readyMessage = stable.message() + " (revision " + s.stableRevision + ")";
        } else if (problem.isPresent()) {
            readyReason = problem.get().reason();
            readyMessage = problem.get().message();
        } else if (s.stableRevision == null && rejected) {
            readyReason = Reasons.ANALYSIS_FAILED;
            readyMessage = "the first revision " + desiredRevision + " failed its analysis; nothing serves";
        } else if (s.stableRevision == null && s.canaryRevision != null) {
            readyReason = desired.ready() ? Reasons.ANALYZING : desired.reason();
            readyMessage = desired.ready() ? "revision " + s.canaryRevision + " serves only after it passes its analysis"
                    : desired.message();
        } else {
            readyReason = stable == null ? desired.reason() : stable.reason();
            readyMessage = stable == null ? desired.message() : stable.message();
        }
        s.conditions = Conditions.set(decided.conditions, Conditions.READY, serving, readyReason, readyMessage, generation, now);

        boolean progressing = s.canaryRevision != null && !held;
        String progressingReason = progressing ? (desired.ready() ? Reasons.ANALYZING : Reasons.CANARY_STARTING)
                : rejected ? Reasons.ROLLED_BACK : held ? Reasons.AWAITING_DECISION : Reasons.STABLE;
        String progressingMessage = progressing
                ? (desired.ready() ? "analysing revision " + s.canaryRevision + " (run " + s.analysis.runName + ")"
                        : "canary " + s.canaryRevision + ": " + desired.message())
                : rejected ? "revision " + desiredRevision + " was rejected; " + (s.stableRevision == null ? "nothing serves"
                        : "revision " + s.stableRevision + " keeps serving")
                : held ? "revision " + s.canaryRevision + " failed its analysis and waits for robustml.io/abort or robustml.io/promote"
                : "revision " + s.stableRevision + " is stable";
        s.conditions = Conditions.set(s.conditions, Conditions.PROGRESSING, progressing, progressingReason, progressingMessage,
                generation, now);

        boolean degraded = rejected || held || problem.isPresent();
        String degradedReason = Reasons.AS_EXPECTED;
        String degradedMessage = "serving pods are healthy or on their way";
        if (rejected || held) {
            String verdict = s.history == null ? null : s.history.stream().filter(r -> desiredRevision.equals(r.revision))
                    .map(r -> r.verdict).findFirst().orElse(null);
            degradedReason = held ? Reasons.ROBUSTNESS_REGRESSION : RolloutPlanner.rejectionReason(verdict);
            degradedMessage = "revision " + desiredRevision + " " + (held ? "failed its analysis" : "was rejected")
                    + (s.lastAnalysis != null && desiredRevision.equals(s.lastAnalysis.revision) && s.lastAnalysis.violatedSlos != null
                            ? ": " + String.join("; ", s.lastAnalysis.violatedSlos) : " (" + degradedReason + ")")
                    + (rejected ? ". The spec still names it; change the spec or set robustml.io/retry to analyse it again" : "");
        } else if (problem.isPresent()) {
            degradedReason = problem.get().reason();
            degradedMessage = problem.get().message();
        } else if (rescanFailed(s)) {
            degraded = true;
            degradedReason = Reasons.RESCAN_FAILED;
            degradedMessage = "stable revision " + s.stableRevision + " fails its SLOs with the current test suite (re-scan "
                    + s.lastRescan.runName + (s.lastRescan.violatedSlos == null ? "" : ": " + String.join("; ", s.lastRescan.violatedSlos))
                    + "); it keeps serving: roll out a revision that passes";
        } else if (guardActive(s)) {
            degraded = true;
            degradedReason = switch (s.guard.state) {
                case io.robustml.controllers.guard.PostPromotionGuard.BURNING -> Reasons.GUARD_BURNING;
                case io.robustml.controllers.guard.PostPromotionGuard.CONTAINED -> Reasons.GUARD_CONTAINED;
                default -> Reasons.GUARD_ROLLING_BACK;
            };
            degradedMessage = "the alert rate of revision " + s.stableRevision + " burns (rollout.guard): " + s.guard.message
                    + switch (degradedReason) {
                        case Reasons.GUARD_BURNING -> "";
                        case Reasons.GUARD_CONTAINED -> "; its sidecars block what they flag";
                        default -> "; revision " + s.guard.rollbackTo + " is scaled up to serve again";
                    };
        }
        s.conditions = Conditions.set(s.conditions, Conditions.DEGRADED, degraded, degradedReason, degradedMessage, generation, now);
        if (s.lastAnalysis != null && s.lastAnalysis.warnings != null && !s.lastAnalysis.warnings.isEmpty()) {
            String first = s.lastAnalysis.warnings.get(0);
            s.conditions = Conditions.set(s.conditions, Conditions.ROBUSTNESS_WARNING, true,
                    first.contains(":") ? first.substring(0, first.indexOf(':')) : Reasons.ANALYSIS_WARNING, "analysis "
                            + s.lastAnalysis.runName + " of revision " + s.lastAnalysis.revision + ": "
                            + String.join("; ", s.lastAnalysis.warnings), generation, now);
        } else if (Conditions.find(s.conditions, Conditions.ROBUSTNESS_WARNING).isPresent()) {
            s.conditions = Conditions.set(s.conditions, Conditions.ROBUSTNESS_WARNING, false, Reasons.NO_WARNINGS,
                    "the latest analysis gave no sign of overstated robustness", generation, now);
        }

        if ((problem.isPresent() && !rejected) || ((rescanFailed(s) || guardActive(s)) && Phase.READY.is(s.phase))) {
            s.phase = Phase.DEGRADED.wire();
        } else if (Phase.READY.is(s.phase) && !serving) {
            s.phase = Phase.PENDING.wire();
        }
        return s;
    }

    /** The post-promotion guard fires on the serving revision (Burning, Contained or RollingBack). */
    static boolean guardActive(RobustModelStatus s) {
        return s.guard != null && s.stableRevision != null && s.stableRevision.equals(s.guard.revision)
                && !io.robustml.controllers.guard.PostPromotionGuard.QUIET.equals(s.guard.state);
    }

    /** The stable revision's latest re-scan, with the current suite or an earlier one, violated an SLO. */
    static boolean rescanFailed(RobustModelStatus s) {
        return s.lastRescan != null && s.stableRevision != null && s.stableRevision.equals(s.lastRescan.revision)
                && "Failed".equals(s.lastRescan.verdict);
    }
}
