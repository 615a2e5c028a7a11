package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.e2e.harness.DataPlaneHarness.RunningPod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * Containment through the whole path, as the on-call engineer does it: N changes (default 10, alternately
 * adding and removing a blocked client) with the runbook's own kubectl commands, against the real operator
 * and two serving pods run by the harness. Per change: kubectl's own time; kubectl returned → the detector
 * ConfigMap updated on the API server (the operator's share); → the change enforced in the last of the
 * sidecars (each polled directly with the blocked client's metadata requests: the gate that refuses its
 * inference, answered in milliseconds either way, so the time is exact to a few ms; the scenario test shows the
 * same on inference). The ConfigMap → sidecar part is the baseline measured in the same run
 * (the sidecar-only figure of ContainmentLatencyBenchmark); the ratio shows what the operator adds.
 *
 * <pre>
 * flock /tmp/robustml-cluster.lock ./mvnw -o -B -pl e2e-tests -am -Pbench verify -Dtest=ContainmentApplyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@WithControlPlane(podSecurity = "restricted")
class ContainmentApplyBenchmark {
    static final int CHANGES = Integer.getInteger("robustml.bench.changes", 10);

    record Change(String command, long kubectlMs, long operatorMs, long configMapToLastSidecarMs, long endToEndMs,
            Map<String, Duration> perPod) {
    }

    @Test
    void containmentChangesThroughKubectlTheOperatorAndEverySidecar(KubernetesClient client, TestNamespace ns,
            LocalControlPlane plane) throws Exception {
        try (Scenario s = Scenario.start(client, ns.name(), plane.repoRoot());
                DetectorConfigWatch config = new DetectorConfigWatch(client, ns.name(), Scenario.MODEL + "-detector")) {
            RunbookCommands runbook = new RunbookCommands(plane.repoRoot(), plane.kubectl(), plane.kubeconfig(), Scenario.MODEL,
                    ns.name());
            // The blocked client polls without limit, so only the block decides its answers.
            s.createClientsSecret(ContainmentScenariosTest.SECRET, Map.of(), Map.of(ContainmentScenariosTest.ATTACKER,
                    ContainmentScenariosTest.ATTACKER_KEY));
            s.apply("robust", "1", ContainmentScenariosTest.SAMPLES, m -> ContainmentScenariosTest.containmentManifest(m, false));
            String revision = io.robustml.controllers.Revision.of(s.model().getSpec());
            s.timeline(revision).awaitOutcome(RolloutScenariosTest.ROLLOUT_TIMEOUT, x -> "Ready".equals(x.phase));
            List<RunningPod> pods = s.harness.servingPods();
            assertThat(pods).hasSize(2);

            Random random = new Random(15);
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < CHANGES; i++) {
                Thread.sleep(300 + random.nextInt(700)); // a random phase against the sidecars' 1 s file poll
                boolean add = i % 2 == 0;
                String before = config.current().sha();
                RunbookCommands.Result r = runbook.run(add ? "block-api-key" : "unblock");
                DetectorConfigWatch.Version updated = config.nextAfter(r.started(), before, Duration.ofSeconds(30));
                Map<String, Duration> perPod = Sidecars.untilEach(pods, r.returned(), Duration.ofSeconds(30),
                        p -> Sidecars.metadata(p, Scenario.MODEL, ContainmentScenariosTest.ATTACKER_KEY),
                        add ? Sidecars::blockedClient : x -> x.statusCode() == 200);
                long endToEnd = perPod.values().stream().mapToLong(Duration::toMillis).max().orElseThrow();
                long operator = Duration.between(r.returned(), updated.seen()).toMillis();
                changes.add(new Change(add ? "block" : "unblock", r.took().toMillis(), operator, endToEnd - operator, endToEnd,
                        perPod));
                System.out.printf("[bench] change %2d %-7s: kubectl %4d ms, returned -> ConfigMap %+4d ms, ConfigMap -> last sidecar "
                        + "%4d ms, returned -> last sidecar %4d ms (%s)%n", i + 1, add ? "block" : "unblock", r.took().toMillis(),
                        operator, endToEnd - operator, endToEnd, Sidecars.millis(perPod));
            }
            s.assertHarnessHealthy();
            System.out.printf("[bench] containment through kubectl and the operator, %d changes, %d sidecars (min / median / max ms):%n",
                    changes.size(), pods.size());
            summary("kubectl (start -> return)", changes, Change::kubectlMs);
            summary("kubectl returned -> ConfigMap updated (operator)", changes, Change::operatorMs);
            summary("ConfigMap updated -> last sidecar enforces (baseline)", changes, Change::configMapToLastSidecarMs);
            summary("kubectl returned -> last sidecar enforces (end to end)", changes, Change::endToEndMs);
            summary("kubectl started -> last sidecar enforces", changes, c -> c.kubectlMs() + c.endToEndMs());
            double ratio = (double) median(changes, Change::endToEndMs) / Math.max(1, median(changes, Change::configMapToLastSidecarMs));
            System.out.printf("[bench]   end to end / ConfigMap -> sidecar (medians): %.2f%n", ratio);
        }
    }

    private static void summary(String what, List<Change> changes, ToLongFunction<Change> f) {
        long[] v = changes.stream().mapToLong(f).sorted().toArray();
        System.out.printf("[bench]   %-55s %5d / %5d / %5d   all: %s%n", what, v[0], median(changes, f), v[v.length - 1],
                changes.stream().map(c -> Long.toString(f.applyAsLong(c))).toList());
    }

    private static long median(List<Change> changes, ToLongFunction<Change> f) {
        long[] v = changes.stream().mapToLong(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
