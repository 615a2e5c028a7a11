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
        assertThat(registry.get("robustml_rollout_rollbacks_total").tags("model", "m").counters()).hasSize(2)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        metrics.problem(model, "ModelIntegrityFailed");
        assertThat(registry.get("robustml_serving_problems_total").tags("reason", "ModelIntegrityFailed").counter().count())
                .isEqualTo(1);
    }
}
