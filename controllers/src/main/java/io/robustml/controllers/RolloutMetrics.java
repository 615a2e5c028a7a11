package io.robustml.controllers;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.controllers.rollout.RolloutPlanner;
import io.robustml.controllers.status.Reasons;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The rollout's Prometheus metrics, derived from status transitions (so a resumed decision is never
 * counted twice: the status write that records it happens once):
 * {@code robustml_rollout_promotions_total}, {@code robustml_rollout_rollbacks_total{reason}},
 * {@code robustml_analysis_runs_started_total}, {@code robustml_guard_actions_total{state}}, each with {@code namespace} and {@code model}; and
 * {@code robustml_models{phase}}, counted from the operator's cache of RobustModels.
 */
public final class RolloutMetrics {
    static final List<String> PHASES = java.util.Arrays.stream(io.robustml.controllers.status.Phase.values())
            .map(io.robustml.controllers.status.Phase::wire).toList();
    /** The guard's states that act (rollout.guard): each entry counted in robustml_guard_actions_total{state}. */
    static final List<String> GUARD_ACTIONS = List.of(io.robustml.controllers.guard.PostPromotionGuard.BURNING,
            io.robustml.controllers.guard.PostPromotionGuard.CONTAINED, io.robustml.controllers.guard.PostPromotionGuard.ROLLING_BACK);
    private final MeterRegistry registry;
    private volatile Supplier<Collection<RobustModel>> models = List::of;

    public RolloutMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String phase : PHASES) {
            Gauge.builder("robustml_models", this, m -> m.count(phase)).tag("phase", phase)
                    .description("RobustModels by phase").register(registry);
        }
    }

    /** Where the phase gauge counts from: the reconciler's cache of primaries. */
    void countFrom(Supplier<Collection<RobustModel>> cache) {
        this.models = cache;
    }

    private double count(String phase) {
        return models.get().stream().filter(m -> m.getStatus() != null && phase.equals(m.getStatus().phase)).count();
    }

    /**
     * The alerted counters of a model exist from its first reconcile, at 0: a counter first seen at 1 gives
     * {@code increase()} nothing, so the model's first rollback or integrity failure would never alert.
     */
    void known(RobustModel model) {
        String ns = model.getMetadata().getNamespace();
        String name = model.getMetadata().getName();
        registry.counter("robustml_rollout_promotions_total", "namespace", ns, "model", name);
        for (String reason : List.of(Reasons.ROBUSTNESS_REGRESSION, Reasons.ANALYSIS_INCONCLUSIVE, Reasons.GUARD_ROLLED_BACK)) {
            registry.counter("robustml_rollout_rollbacks_total", "namespace", ns, "model", name, "reason", reason);
        }
        registry.counter("robustml_serving_problems_total", "namespace", ns, "model", name, "reason",
                io.robustml.controllers.status.ServingProblem.MODEL_INTEGRITY_FAILED);
        for (String verdict : List.of("Passed", "Failed", "Inconclusive")) {
            registry.counter("robustml_rescans_total", "namespace", ns, "model", name, "verdict", verdict);
        }
        if (model.getSpec() != null && model.getSpec().rollout != null && model.getSpec().rollout.guard != null) {
            for (String state : GUARD_ACTIONS) {
                registry.counter("robustml_guard_actions_total", "namespace", ns, "model", name, "state", state);
            }
        }
    }

    /** Counts what changed between two recorded statuses. */
    void transition(RobustModel model, RobustModelStatus before, RobustModelStatus after, int analysesStarted) {
        String ns = model.getMetadata().getNamespace();
        String name = model.getMetadata().getName();
        if (after.stableRevision != null && !Objects.equals(before.stableRevision, after.stableRevision)) {
            registry.counter("robustml_rollout_promotions_total", "namespace", ns, "model", name).increment();
        }
        if (after.rejectedRevision != null && !Objects.equals(before.rejectedRevision, after.rejectedRevision)) {
            String verdict = after.history == null || after.history.isEmpty() ? null : after.history.get(0).verdict;
            registry.counter("robustml_rollout_rollbacks_total", "namespace", ns, "model", name, "reason",
                    RolloutPlanner.rejectionReason(verdict)).increment();
        }
        if (after.lastRescan != null && after.lastRescan.verdict != null && (before.lastRescan == null
                || !Objects.equals(before.lastRescan.runName, after.lastRescan.runName))) {
            registry.counter("robustml_rescans_total", "namespace", ns, "model", name, "verdict", after.lastRescan.verdict)
                    .increment();
        }
        if (after.guard != null && GUARD_ACTIONS.contains(after.guard.state) && (before.guard == null
                || !Objects.equals(before.guard.state, after.guard.state) || !Objects.equals(before.guard.since, after.guard.since))) {
            registry.counter("robustml_guard_actions_total", "namespace", ns, "model", name, "state", after.guard.state).increment();
        }
        if (analysesStarted > 0) {
            registry.counter("robustml_analysis_runs_started_total", "namespace", ns, "model", name).increment(analysesStarted);
        }
    }

    /**
     * A serving problem newly reported (the same transition that emits its Warning event):
     * {@code robustml_serving_problems_total{namespace,model,reason}}, e.g. ModelIntegrityFailed.
     */
    void problem(RobustModel model, String reason) {
        registry.counter("robustml_serving_problems_total", "namespace", model.getMetadata().getNamespace(), "model",
                model.getMetadata().getName(), "reason", reason).increment();
    }
}
