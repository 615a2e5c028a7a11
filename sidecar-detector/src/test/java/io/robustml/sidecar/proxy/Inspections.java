package io.robustml.sidecar.proxy;

import java.time.Duration;
import org.awaitility.Awaitility;

/** Action flag answers first and inspects after: tests that read detector state wait for the inspections in flight. */
final class Inspections {
    private Inspections() {
    }

    static void awaitIdle(InspectionFlow flow) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(() -> flow.pendingInspections() == 0);
    }
}
