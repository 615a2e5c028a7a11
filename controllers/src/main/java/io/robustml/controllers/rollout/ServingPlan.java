package io.robustml.controllers.rollout;

import io.robustml.crds.model.RobustModelStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which revisions run, and with how many pods, from the decided status: stable with the spec's
 * replicas, the canary beside it with the canary's (the whole count when there is no stable yet).
 * The previous stable revision kept for the guard (status.rollbackRevision) has a Deployment with no pods, or
 * the spec's replicas while the guard rolls back to it. Every other revision runs nothing: a rejected canary's pods go. Stable replicas lent to the canary
 * for its analysis (capacityPolicy reuseStable) are taken from stable while the analysis lasts.
 */
public final class ServingPlan {
    private ServingPlan() {
    }

    public static Map<String, Integer> replicas(RobustModelStatus s, int specReplicas, int canaryReplicas) {
        Map<String, Integer> plan = new LinkedHashMap<>();
        if (s.stableRevision != null) {
            int lent = s.analysis != null && s.analysis.stableReplicasLent != null && s.canaryRevision != null
                    && !s.canaryRevision.equals(s.stableRevision) ? s.analysis.stableReplicasLent : 0;
            plan.put(s.stableRevision, Math.max(0, specReplicas - lent));
        }
        if (s.canaryRevision != null && !s.canaryRevision.equals(s.stableRevision)) {
            plan.put(s.canaryRevision, s.stableRevision == null ? specReplicas : canaryReplicas);
        }
        if (s.rollbackRevision != null && !plan.containsKey(s.rollbackRevision)) {
            // rollout.guard keeps the previous stable revision's Deployment, its pod template the record of what it
            // is, with no pods; a rollback under way scales it up before it serves.
            boolean target = s.guard != null && "RollingBack".equals(s.guard.state) && s.rollbackRevision.equals(s.guard.rollbackTo);
            plan.put(s.rollbackRevision, target ? specReplicas : 0);
        }
        return plan;
    }
}
