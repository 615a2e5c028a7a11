package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServingReadinessTest {
    @ParameterizedTest(name = "desired={0} available={1} updated={2} gen={3} observed={4} -> {5}")
    @CsvSource(nullValues = "null", value = {
        "2, null, null, null, null, false, DeploymentPending",
        "2, 2, 2, 3, 2, false, DeploymentProgressing",
        "2, 1, 2, 3, 3, false, PodsNotReady",
        "2, 2, 1, 3, 3, false, PodsNotReady",
        "2, 2, 2, 3, 3, true, Serving",
        "0, null, null, 1, 1, true, Serving",
    })
    void isReadyOnlyWhenEveryDesiredReplicaIsUpdatedAndAvailable(int desired, Integer available, Integer updated,
            Long generation, Long observed, boolean ready, String reason) {
        ServingReadiness r = ServingReadiness.of(desired, available, updated, generation, observed);
        assertThat(r.ready()).isEqualTo(ready);
        assertThat(r.reason()).isEqualTo(reason);
    }
}
