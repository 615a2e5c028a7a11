package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.robustml.crds.RobustModel;
import org.junit.jupiter.api.Test;

class RolloutMetricsTest {
    /** The alerted counters exist at 0 before anything happens, so Prometheus sees the first event as an increase. */
    @Test
    void alertedCountersStartAtZeroAndCountFromThere() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RolloutMetrics metrics = new RolloutMetrics(registry);
        RobustModel model = new RobustModel();
        model.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("shop").build());
        metrics.known(model);
        metrics.known(model); // every reconcile: the same series, not new ones
        assertThat(registry.get("robustml_serving_problems_total").tags("model", "m", "reason", "ModelIntegrityFailed")
                .counters()).singleElement().satisfies(c -> assertThat(c.count()).isZero());
        assertThat(registry.get("robustml_rollout_rollbacks_total").tags("model", "m").counters()).hasSize(3)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        metrics.problem(model, "ModelIntegrityFailed");
        assertThat(registry.get("robustml_serving_problems_total").tags("reason", "ModelIntegrityFailed").counter().count())
                .isEqualTo(1);
    }

    /** Each time the guard enters an acting state, once; a state that stands, or Quiet, is not counted. */
    @Test
    void theGuardsActionsAreCountedPerEntry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RolloutMetrics metrics = new RolloutMetrics(registry);
        RobustModel model = new RobustModel();
        model.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("shop").build());
        model.setSpec(new io.robustml.crds.model.RobustModelSpec());
        model.getSpec().rollout = new io.robustml.crds.model.RolloutSpec();
        model.getSpec().rollout.guard = new io.robustml.crds.model.RolloutSpec.GuardSpec();
        metrics.known(model);
        assertThat(registry.get("robustml_guard_actions_total").tags("model", "m").counters()).hasSize(3)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        var quiet = guarded("Quiet", "t0");
        var contained = guarded("Contained", "t1");
        metrics.transition(model, quiet, contained, 0);
        metrics.transition(model, contained, guarded("Contained", "t1"), 0);
        metrics.transition(model, contained, guarded("Quiet", "t2"), 0);
        metrics.transition(model, quiet, guarded("Contained", "t3"), 0);
        assertThat(registry.get("robustml_guard_actions_total").tags("state", "Contained").counter().count()).isEqualTo(2);
        assertThat(registry.get("robustml_guard_actions_total").tags("state", "RollingBack").counter().count()).isZero();
    }

    private static io.robustml.crds.model.RobustModelStatus guarded(String state, String since) {
        var s = new io.robustml.crds.model.RobustModelStatus();
        s.guard = new io.robustml.crds.model.RobustModelStatus.GuardStatus();
        s.guard.state = state;
        s.guard.since = since;
        return s;
    }
}
