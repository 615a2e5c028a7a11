package io.robustml.controllers.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.crds.model.RobustModelStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingPlanTest {
    static RobustModelStatus status(String stable, String canary, Integer lent) {
        RobustModelStatus s = new RobustModelStatus();
        s.stableRevision = stable;
        s.canaryRevision = canary;
        if (canary != null) {
            s.analysis = new RobustModelStatus.AnalysisProgress();
            s.analysis.revision = canary;
            s.analysis.stableReplicasLent = lent;
        }
        return s;
    }

    @Test
    void stableAndCanarySideBySide() {
        assertThat(ServingPlan.replicas(status("s", "c", null), 3, 1)).containsExactly(Map.entry("s", 3), Map.entry("c", 1));
        assertThat(ServingPlan.replicas(status(null, "c", null), 3, 1)).containsExactly(Map.entry("c", 3));
    }

    @Test
    void replicasLentToTheCanaryAreTakenFromStableOnlyWhileTheAnalysisLasts() {
        assertThat(ServingPlan.replicas(status("s", "c", 1), 3, 1)).containsExactly(Map.entry("s", 2), Map.entry("c", 1));
        // Rolled back or promoted: the analysis (and the loan) is gone, stable has all its replicas.
        assertThat(ServingPlan.replicas(status("s", null, null), 3, 1)).containsExactly(Map.entry("s", 3));
    }
}
