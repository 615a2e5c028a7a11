package io.robustml.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Leader election, so two operator replicas run with one reconciling and the other taking over when
 * the lease expires. QOSDK activates it in the profiles listed in
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod by default).
 *
 * <p>A replica that loses its lease (it could not renew it in time, or another holder took it) ends its
 * process at once, as client-go's controllers do: a former leader that keeps reconciling would act next to
 * the new one. The kubelet restarts it and it queues for the lease again. A lease given up because this
 * process is stopping is no loss: JOSDK's own exit-on-stop-leading (System.exit from inside the shutdown)
 * stays off, and once the operator has stopped the lease is handed back for the standby.
 */
@Singleton
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    /** Exit status of a replica that lost its lease. */
    static final int LOST_LEASE_EXIT = 1;

    private volatile boolean stopping;
    /** The lease this replica took, set when it took it (null: it never led, nothing to hand back). */
    private volatile LeaseRef held;

    private record LeaseRef(String name, Optional<String> namespace) {
    }

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        String leaseName = config.leaderElection().leaseName();
        // Null means the operator pod's own namespace when running in a cluster.
        Optional<String> leaseNamespace = config.leaderElection().leaseNamespace();
        Runnable stoppedLeading = config.leaderElection().exitOnStopLeading() ? this::stoppedLeading : () -> LOG.warn("stopped leading; configured not to exit");
        return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                new LeaderCallbacks(() -> {
                    held = new LeaseRef(leaseName, leaseNamespace);
                    LOG.info("took the lease: reconciling");
                }, stoppedLeading,
                        identity -> LOG.infof("the lease is held by %s", identity)),
                false);
    }

    /** Before QOSDK stops the operator (which gives up the lease): from now on a lost lease is expected. */
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        stopping = true;
    }

    /**
     * After QOSDK stopped the operator (no reconciler runs any more): hand the lease back, as client-go does
     * on release, so the standby takes it at its next retry instead of after the lease runs out. JOSDK
     * builds fabric8's elector without release-on-cancel.
     */
    void releaseLease(@Observes @Priority(10_000) ShutdownEvent event, KubernetesClient client) {
        LeaseRef lease = held;
        String identity = System.getenv("HOSTNAME"); // JOSDK's identity when none is configured
        if (lease == null || identity == null || identity.isBlank()) {
            return;
        }
        String leaseName = lease.name();
        // The operator's client is closed by now (JOSDK closes it when it stops): a short-lived one of the same config.
        try (KubernetesClient own = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(client.getConfiguration()).build()) {
            var leases = own.leases().inNamespace(lease.namespace().orElse(own.getNamespace()));
            var current = leases.withName(leaseName).get();
            if (current == null || current.getSpec() == null || !identity.equals(current.getSpec().getHolderIdentity())) {
                return;
            }
            var now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
            current.getSpec().setHolderIdentity(null);
            current.getSpec().setLeaseDurationSeconds(1);
            current.getSpec().setRenewTime(now);
            leases.resource(current).update(); // optimistic: a lease taken meanwhile is not ours to release
            LOG.infof("released the leader lease %s", leaseName);
        } catch (RuntimeException e) {
            LOG.warnf("could not release the leader lease (the standby takes it when it runs out): %s", e.getMessage());
        }
    }

    private void stoppedLeading() {
        if (stopping || jvmShuttingDown()) {
            return;
        }
        LOG.error("lost the leader lease: exiting so that only the new leader reconciles (the kubelet restarts this "
                + "replica, which then waits for the lease)");
        // halt, not exit: shutdown hooks would run the operator's graceful stop, reconciling meanwhile.
        Runtime.getRuntime().halt(LOST_LEASE_EXIT);
    }

    /** Whether the JVM is running its shutdown hooks (SIGTERM): adding a hook is refused then. */
    static boolean jvmShuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
