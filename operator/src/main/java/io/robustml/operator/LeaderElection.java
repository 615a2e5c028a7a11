package io.robustml.operator;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election, so two operator replicas can run with one reconciling and the other taking over
 * when the lease expires. QOSDK activates it in the profiles listed in
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod by default).
 */
public class LeaderElection {
    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "robustml.leader-election.lease-name", defaultValue = "robustml-operator") String leaseName,
            // Null means the operator pod's own namespace when running in a cluster.
            @ConfigProperty(name = "robustml.leader-election.lease-namespace") Optional<String> leaseNamespace,
            // Exiting on a lost lease from inside JOSDK deadlocks a normal shutdown (System.exit in a
            // shutdown hook), so it is off by default; a replica that loses the lease stops reconciling.
            @ConfigProperty(name = "robustml.leader-election.exit-on-stop-leading", defaultValue = "false") boolean exit) {
        return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                new LeaderCallbacks(() -> { }, () -> { }, identity -> { }), exit);
    }
}
