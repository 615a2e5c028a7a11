package io.robustml.controllers.guard;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.rollout.RolloutAction;
import io.robustml.controllers.rollout.RolloutPlanner;
import io.robustml.controllers.rollout.RolloutSettings;
import io.robustml.controllers.status.Reasons;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RobustModelStatus.GuardStatus;
import io.robustml.crds.model.RolloutSpec.GuardAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * rollout.guard after the rollout planner: from the burn-rate evaluation of the serving revision's sidecar
 * counters, the guard's next state and its events. Pure, and recorded in status before anything acts on it:
 * the detector ConfigMap renders containment from {@code status.guard}, the serving plan scales the rollback
 * target from it.
 *
 * <pre>
 *   Quiet --fires--> Burning (alert) | Contained (contain, or rollback impossible) | RollingBack (rollback)
 *   Burning/Contained --stops firing--> Quiet
 *   RollingBack --target Ready--> the target serves, the burning revision is rejected (GuardRolledBack)
 * </pre>
 */
public final class PostPromotionGuard {
    public static final String QUIET = "Quiet";
    public static final String BURNING = "Burning";
    public static final String CONTAINED = "Contained";
    public static final String ROLLING_BACK = "RollingBack";

    private PostPromotionGuard() {
    }

    /** The previous stable revision's Deployment, as observed. */
    public record Target(boolean exists, boolean ready) {
        public static final Target ABSENT = new Target(false, false);
    }

    /**
     * @param evaluation empty while the counters read cover less than the shortest window (an operator just
     *                   started): the state then stands
     */
    public static RolloutPlanner.Decision decide(RobustModelStatus decided, Optional<GuardSettings> settings,
            Optional<BurnRate.Evaluation> evaluation, Baseline baseline, Target target, RolloutSettings rollout, Instant now) {
        RobustModelStatus s = Serialization.clone(decided);
        List<RolloutAction> events = new ArrayList<>();
        if (settings.isEmpty() || s.stableRevision == null) {
            s.guard = null;
            s.rollbackRevision = settings.isEmpty() ? null : s.rollbackRevision;
            return new RolloutPlanner.Decision(s, events);
        }
        if (s.stableRevision.equals(s.rollbackRevision)) {
            s.rollbackRevision = null;
        }
        if (s.guard == null || !s.stableRevision.equals(s.guard.revision)) {
            s.guard = state(s.stableRevision, QUIET, null, now);
        }
        GuardStatus g = s.guard;
        g.baselineRate = BurnRate.trim(baseline.rate());
        g.baselineSource = baseline.source();
        String served = s.stableRevision;

        if (ROLLING_BACK.equals(g.state)) {
            if (!target.exists()) {
                String gone = g.rollbackTo;
                enter(g, CONTAINED, g.message, now);
                events.add(new RolloutAction.Event(true, Reasons.GUARD_ROLLBACK_UNAVAILABLE, "the Deployment of revision "
                        + gone + " is gone: no rollback; revision " + served + " stays contained"));
            } else if (target.ready()) {
                String to = g.rollbackTo;
                RolloutPlanner.Decision back = RolloutPlanner.rollBack(s, to, "its alert rate burned: " + g.message, rollout, now);
                back.status().guard = state(to, QUIET, null, now);
                events.addAll(back.actions());
                return new RolloutPlanner.Decision(back.status(), events);
            }
            return new RolloutPlanner.Decision(s, events);
        }
        if (evaluation.isEmpty()) {
            return new RolloutPlanner.Decision(s, events);
        }
        BurnRate.Evaluation e = evaluation.get();
        String figures = e.describe();
        if (e.firing()) {
            GuardAction action = settings.get().action();
            Optional<String> noRollback = action == GuardAction.ROLLBACK ? rollbackUnavailable(s, target, rollout, now) : Optional.empty();
            String wanted = action == GuardAction.ALERT ? BURNING
                    : action == GuardAction.CONTAIN || noRollback.isPresent() ? CONTAINED : ROLLING_BACK;
            if (!wanted.equals(g.state)) {
                enter(g, wanted, figures, now);
                String burns = "the alert rate of revision " + served + " burns: " + figures;
                switch (wanted) {
                    case BURNING -> events.add(new RolloutAction.Event(true, Reasons.GUARD_BURNING, burns
                            + "; rollout.guard.action alert: nothing more is done"));
                    case CONTAINED -> {
                        events.add(new RolloutAction.Event(true, Reasons.GUARD_CONTAINED, burns + "; every sidecar of revision "
                                + served + " now blocks flagged inputs (detector action block, hot-reloaded, no new revision) "
                                + "until the rates fall back"));
                        noRollback.ifPresent(why -> events.add(new RolloutAction.Event(true, Reasons.GUARD_ROLLBACK_UNAVAILABLE,
                                "no rollback: " + why + "; revision " + served + " is contained instead")));
                    }
                    default -> {
                        g.rollbackTo = s.rollbackRevision;
                        events.add(new RolloutAction.Event(true, Reasons.GUARD_ROLLING_BACK, burns + "; previous revision "
                                + g.rollbackTo + " is scaled up to serve again, and revision " + served
                                + " blocks flagged inputs until it does"));
                    }
                }
            }
        } else if (!QUIET.equals(g.state)) {
            boolean contained = CONTAINED.equals(g.state);
            enter(g, QUIET, figures, now);
            events.add(new RolloutAction.Event(false, Reasons.GUARD_QUIET, "the alert rate of revision " + served
                    + " is back under its bounds: " + figures + (contained ? "; containment lifted" : "")));
        }
        return new RolloutPlanner.Decision(s, events);
    }

    /** The serving revision's sidecars block what they flag now (Contained, or RollingBack until the target serves). */
    public static boolean contains(RobustModelStatus status) {
        return status != null && status.guard != null && status.stableRevision != null
                && status.stableRevision.equals(status.guard.revision)
                && (CONTAINED.equals(status.guard.state) || ROLLING_BACK.equals(status.guard.state));
    }

    /** The revision being scaled up to serve again, if a rollback is under way. */
    public static Optional<String> rollingBackTo(RobustModelStatus status) {
        return status != null && status.guard != null && ROLLING_BACK.equals(status.guard.state)
                ? Optional.ofNullable(status.guard.rollbackTo) : Optional.empty();
    }

    private static Optional<String> rollbackUnavailable(RobustModelStatus s, Target target, RolloutSettings rollout, Instant now) {
        if (s.canaryRevision != null) {
            return Optional.of("canary " + s.canaryRevision + " is under analysis");
        }
        if (s.rollbackRevision == null) {
            return Optional.of("no previous stable revision is kept (one is kept from the next promotion with rollout.guard on)");
        }
        if (!target.exists()) {
            return Optional.of("the Deployment of previous revision " + s.rollbackRevision + " is gone");
        }
        if (RolloutPlanner.recentPass(s, s.rollbackRevision, rollout, now).isEmpty()) {
            return Optional.of("previous revision " + s.rollbackRevision + " has no pass with the current suite within "
                    + "rollout.rollbackWindow (" + rollout.rollbackWindow() + ")");
        }
        return Optional.empty();
    }

    private static GuardStatus state(String revision, String state, String message, Instant now) {
        GuardStatus g = new GuardStatus();
        g.revision = revision;
        enter(g, state, message, now);
        return g;
    }

    private static void enter(GuardStatus g, String state, String message, Instant now) {
        g.state = state;
        g.since = now.toString();
        g.message = message;
        if (!ROLLING_BACK.equals(state)) {
            g.rollbackTo = null;
        }
    }
}
