package io.robustml.controllers;

import io.robustml.controllers.status.Conditions;
import io.robustml.controllers.status.ServingProblem;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Instant;
import java.util.Optional;

/** The next status from what was observed; pure, so every combination is unit-tested. */
public final class StatusRules {
    private StatusRules() {
    }

    public static RobustModelStatus next(RobustModelStatus previous, long generation, String revision,
            ServingReadiness readiness, Optional<ServingProblem> problem, Instant now) {
        RobustModelStatus s = new RobustModelStatus();
        s.observedGeneration = generation;
        s.stableRevision = revision;
        s.canaryRevision = previous.canaryRevision;
        s.lastAnalysis = previous.lastAnalysis;
        s.history = previous.history;
        s.phase = readiness.ready() ? "Ready" : problem.isPresent() ? "Degraded" : "Pending";
        String readyReason = problem.map(ServingProblem::reason).orElse(readiness.reason());
        String readyMessage = problem.map(ServingProblem::message).orElse(readiness.message());
        s.conditions = Conditions.set(previous.conditions, Conditions.READY, readiness.ready(), readyReason,
                readyMessage, generation, now);
        s.conditions = Conditions.set(s.conditions, Conditions.PROGRESSING, !readiness.ready() && problem.isEmpty(),
                readiness.ready() ? "Stable" : readyReason, readyMessage, generation, now);
        s.conditions = Conditions.set(s.conditions, Conditions.DEGRADED, problem.isPresent(),
                problem.map(ServingProblem::reason).orElse("AsExpected"),
                problem.map(ServingProblem::message).orElse("serving pods are healthy or on their way"), generation, now);
        return s;
    }
}
