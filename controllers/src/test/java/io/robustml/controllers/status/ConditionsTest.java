package io.robustml.controllers.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-25T10:05:00.123Z");

    @Test
    void addsAMissingConditionWithTransitionTimeNow() {
        List<Condition> result = Conditions.set(List.of(), "Ready", false, "PodsNotReady", "0 of 1", 3, T0);
        assertThat(result).singleElement().satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("PodsNotReady");
            assertThat(c.getObservedGeneration()).isEqualTo(3L);
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
        });
    }

    @Test
    void keepsTransitionTimeWhenStatusDoesNotChange() {
        List<Condition> first = Conditions.set(List.of(), "Ready", true, "Serving", "1 of 1", 1, T0);
        List<Condition> second = Conditions.set(first, "Ready", true, "Serving", "2 of 2", 2, T1);
        assertThat(second).singleElement().satisfies(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
            assertThat(c.getMessage()).isEqualTo("2 of 2");
            assertThat(c.getObservedGeneration()).isEqualTo(2L);
        });
    }

    @Test
    void movesTransitionTimeWhenStatusFlipsAndLeavesOtherTypesAlone() {
        List<Condition> first = Conditions.set(List.of(), "Ready", true, "Serving", "", 1, T0);
        first = Conditions.set(first, "Degraded", false, "AsExpected", "", 1, T0);
        List<Condition> second = Conditions.set(first, "Ready", false, "PodsNotReady", "", 2, T1);
        assertThat(Conditions.find(second, "Ready")).get()
                .satisfies(c -> assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-25T10:05:00Z"));
        assertThat(Conditions.find(second, "Degraded")).get().isEqualTo(first.get(1));
        assertThat(Conditions.isTrue(second, "Ready")).isFalse();
    }
}
