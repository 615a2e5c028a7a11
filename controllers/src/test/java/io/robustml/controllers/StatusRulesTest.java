package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.controllers.status.Conditions;
import io.robustml.controllers.status.ServingProblem;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusRulesTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final ServingReadiness NOT_READY = new ServingReadiness(false, "PodsNotReady", "0 of 2");
    private static final ServingReadiness READY = new ServingReadiness(true, "Serving", "2 of 2");

    @Test
    void aProblemMakesTheModelDegradedWithItsReason() {
        RobustModelStatus s = StatusRules.next(new RobustModelStatus(), 3, "abc", NOT_READY,
                Optional.of(new ServingProblem("InsufficientGPU", "no node has 4 free nvidia.com/gpu")), NOW);
        assertThat(s.phase).isEqualTo("Degraded");
        assertThat(s.observedGeneration).isEqualTo(3L);
        assertThat(Conditions.find(s.conditions, "Degraded").orElseThrow().getReason()).isEqualTo("InsufficientGPU");
        assertThat(Conditions.find(s.conditions, "Ready").orElseThrow().getReason()).isEqualTo("InsufficientGPU");
        assertThat(Conditions.isTrue(s.conditions, "Progressing")).isFalse();
    }

    @Test
    void pendingPodsWithoutAProblemAreProgressing() {
        RobustModelStatus s = StatusRules.next(new RobustModelStatus(), 1, "abc", NOT_READY, Optional.empty(), NOW);
        assertThat(s.phase).isEqualTo("Pending");
        assertThat(Conditions.isTrue(s.conditions, "Progressing")).isTrue();
        assertThat(Conditions.isTrue(s.conditions, "Degraded")).isFalse();
    }

    @Test
    void readyIsStableAndASecondIdenticalObservationChangesNothing() {
        RobustModelStatus first = StatusRules.next(new RobustModelStatus(), 1, "abc", READY, Optional.empty(), NOW);
        RobustModelStatus second = StatusRules.next(first, 1, "abc", READY, Optional.empty(), NOW.plusSeconds(60));
        assertThat(first.phase).isEqualTo("Ready");
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(second))
                .isEqualTo(io.fabric8.kubernetes.client.utils.Serialization.asJson(first));
    }
}
