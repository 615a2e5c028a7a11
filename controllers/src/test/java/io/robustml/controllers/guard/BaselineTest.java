package io.robustml.controllers.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RolloutSpec;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BaselineTest {
    static GuardSettings settings(Optional<Double> baseline) {
        return new GuardSettings(RolloutSpec.GuardAction.ALERT, List.of(), baseline, 100);
    }

    static AdversarialTestRun run(String name, String falsePositiveRate) {
        AdversarialTestRun run = new AdversarialTestRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).build());
        run.setStatus(new AdversarialTestRunStatus());
        run.getStatus().detector = new AdversarialTestRunStatus.DetectorMetrics(null, null,
                io.robustml.crds.Decimals.value(falsePositiveRate), null, null, null);
        return run;
    }

    @Test
    void theSpecWinsThenTheServingRevisionsMeasuredRateAtLeastAFloorThenTheDefault() {
        RobustModelStatus s = PostPromotionGuardTest.servingBAfterA();
        List<AdversarialTestRun> runs = List.of(run("fashion-b-a1", "0.06"), run("fashion-a-a1", "0.5"));
        assertThat(Baseline.of(settings(Optional.of(0.2)), s, runs)).isEqualTo(new Baseline(0.2, "spec"));
        assertThat(Baseline.of(settings(Optional.empty()), s, runs)).isEqualTo(new Baseline(0.06, "analysis fashion-b-a1"));
        assertThat(Baseline.of(settings(Optional.empty()), s, List.of(run("fashion-b-a1", "0"))).rate()).isEqualTo(0.001);
        assertThat(Baseline.of(settings(Optional.empty()), s, List.of())).isEqualTo(new Baseline(0.01, "default"));

        // Once recorded for the serving revision, a measured baseline outlives its run (retention deletes runs).
        s.guard = new RobustModelStatus.GuardStatus();
        s.guard.revision = "b";
        s.guard.baselineRate = "0.06";
        s.guard.baselineSource = "analysis fashion-b-a1";
        assertThat(Baseline.of(settings(Optional.empty()), s, List.of())).isEqualTo(new Baseline(0.06, "analysis fashion-b-a1"));
        s.guard.revision = "a";
        assertThat(Baseline.of(settings(Optional.empty()), s, List.of())).isEqualTo(new Baseline(0.01, "default"));
    }
}
