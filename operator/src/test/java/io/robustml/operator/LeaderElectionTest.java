package io.robustml.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With leader election on, the operator takes a Lease before it reconciles. */
@QuarkusTest
@TestProfile(LeaderElectionTest.LeaderElectionOn.class)
@QuarkusTestResource(RealControlPlaneResource.class)
class LeaderElectionTest {
    /** A lease name of this run only, so an old lease in a reused cluster cannot make the test pass. */
    static final String LEASE = "robustml-operator-test-" + Long.toHexString(System.nanoTime());

    public static class LeaderElectionOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.leader-election.lease-name", LEASE,
                    "robustml.leader-election.lease-namespace", "default",
                    "robustml.leader-election.exit-on-stop-leading", "false");
        }

        @Override
        public String getConfigProfile() {
            return "leader-election";
        }
    }

    @Inject
    KubernetesClient client;

    @Test
    void holdsTheLease() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var lease = client.leases().inNamespace("default").withName(LEASE).get();
            assertThat(lease).isNotNull();
            assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        });
    }
}
