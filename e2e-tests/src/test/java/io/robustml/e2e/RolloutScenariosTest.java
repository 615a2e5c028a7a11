package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controllers.Revision;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The rollout end to end: the real reconciler, the pods it generates run by the harness as the real
 * model server, sidecar and tester (with the tester's own ServiceAccount token), real models and data.
 * Prints the time of each phase ([e2e] lines; docs/benchmarks.md).
 */
@WithControlPlane(podSecurity = "restricted")
class RolloutScenariosTest {
    /** Examples per analysis: small for CI; the sampling error at 100 is about ±0.04 on each rate. */
    static final int SAMPLES = Integer.getInteger("robustml.e2e.samples", 100);
    static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void aRobustFirstReleaseIsGatedAndServesThenAStandardUpdateIsRolledBack(KubernetesClient client, TestNamespace ns,
            LocalControlPlane plane) throws Exception {
        try (Scenario s = Scenario.start(client, ns.name(), plane.repoRoot())) {
            // With the evaluation files' digests: the real tester checks them before it measures.
            s.apply("robust", "0.35", SAMPLES, m -> m.getSpec().rollout.analysis.datasetChecksums = datasetChecksums(
                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"));
            String robust = Revision.of(s.model().getSpec());
            Scenario.Timeline first = s.timeline(robust);
            RobustModelStatus st = first.awaitOutcome(ROLLOUT_TIMEOUT, x -> "Ready".equals(x.phase));
            System.out.println(first.summary("first release (robust): Passed"));
            assertThat(first.readyBeforeVerdict).as("Ready before its analysis passed").isFalse();
            assertThat(st.stableRevision).isEqualTo(robust);
            assertThat(st.lastAnalysis.verdict).isEqualTo("Passed");
            double asr = Double.parseDouble(st.lastAnalysis.adversarialSuccessRate);
            double clean = Double.parseDouble(st.lastAnalysis.cleanAccuracy);
            System.out.printf("[e2e] robust measured: adversarialSuccessRate %.4f, cleanAccuracy %.4f (%d samples)%n", asr, clean, SAMPLES);
            assertThat(asr).isLessThanOrEqualTo(0.35);
            assertThat(clean).isGreaterThanOrEqualTo(0.70);
            // The full report outlives the tester's pod: written by the tester under its own narrow Role.
            var runStatus = client.resources(io.robustml.crds.AdversarialTestRun.class).inNamespace(ns.name())
                    .withName(st.lastAnalysis.runName).get().getStatus();
            assertThat(runStatus.report).as("status.report of " + st.lastAnalysis.runName).isNotNull();
            String report = client.configMaps().inNamespace(ns.name()).withName(runStatus.report.configMap).get().getData()
                    .get(runStatus.report.key);
            assertThat(Scenario.sha256Hex(report)).isEqualTo(runStatus.report.sha256);
            assertThat(report).contains("\"cleanAccuracy\"", "\"pgd-linf-0.1\"");
            // The tester and the sidecar share the model's tester key: the detector's verdicts were visible,
            // so detection was measured, not left out.
            assertThat(runStatus.detector).as("detection measured through the sidecar").isNotNull();
            System.out.printf("[e2e] detection through the sidecar: recall %s, false-positive rate %s%n",
                    runStatus.detector.recall(), runStatus.detector.falsePositiveRate());
            System.out.printf("[e2e] report of %s: ConfigMap %s, %d bytes%n", st.lastAnalysis.runName, runStatus.report.configMap,
                    runStatus.report.bytes);
            assertThat(s.inferThroughService()).as("the answer names the revision that served it")
                    .contains("\"model_version\":\"" + robust + "\"");

            s.apply("standard", "0.35", SAMPLES);
            long generation = s.model().getMetadata().getGeneration();
            String standard = Revision.of(s.model().getSpec());
            Scenario.Timeline update = s.timeline(standard);
            RobustModelStatus rolled = update.awaitOutcome(ROLLOUT_TIMEOUT, x -> standard.equals(x.rejectedRevision));
            System.out.println(update.summary("update to standard: Failed, rolled back"));
            assertThat(rolled.lastAnalysis.verdict).isEqualTo("Failed");
            assertThat(rolled.lastAnalysis.violatedSlos).anySatisfy(v -> assertThat(v).startsWith("adversarialSuccessRate"));
            double standardAsr = Double.parseDouble(rolled.lastAnalysis.adversarialSuccessRate);
            System.out.printf("[e2e] standard measured: adversarialSuccessRate %.4f; violated: %s%n", standardAsr,
                    rolled.lastAnalysis.violatedSlos);
            assertThat(standardAsr).isGreaterThan(0.35);
            assertThat(rolled.conditions).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Degraded");
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("RobustnessRegression");
                assertThat(c.getMessage()).contains(rolled.lastAnalysis.violatedSlos);
            });
            assertThat(rolled.stableRevision).isEqualTo(robust);
            assertThat(s.model().getMetadata().getGeneration()).as("the operator never edits spec").isEqualTo(generation);
            assertThat(s.model().getSpec().model.sha256).isEqualTo(Scenario.sha256("standard"));
            assertThat(s.inferThroughService()).as("stable still serves").contains("\"model_version\":\"" + robust + "\"");
            assertThat(s.harness.runningServingPods()).allMatch(p -> p.startsWith("fashion-classifier-" + robust));

            // A black-box attacker hammering the stable Service: rate-limited and flagged, and /metrics shows it.
            String requests = "robustml_sidecar_requests_total";
            String limited = "outcome=\"rate_limited\"";
            String flags = "robustml_sidecar_flags_total";
            String similarity = "detector=\"querySimilarity\"";
            double limitedBefore = s.metric(requests, limited);
            double flaggedBefore = s.metric(flags, similarity);
            var statuses = s.hammer(400, "attacker-1");
            double limitedAfter = s.metric(requests, limited);
            double flagged = s.metric(flags, similarity) - flaggedBefore;
            System.out.printf("[e2e] attacker: 400 near-duplicate queries -> HTTP %s; sidecar rate_limited %.0f -> %.0f, "
                    + "querySimilarity flags +%.0f%n", statuses, limitedBefore, limitedAfter, flagged);
            assertThat(statuses.getOrDefault(429, 0)).isPositive();
            assertThat(limitedAfter - limitedBefore).isEqualTo((double) statuses.get(429));
            assertThat(flagged).isPositive();
            assertThat(s.metricsStatusOnDataPort()).as("metrics only on the metrics port, not where clients call").isEqualTo(404);

            // Containment without a rollout: a tighter rate limit reaches the running sidecar's mounted
            // detector.json (ConfigMap volume, kept in sync by the harness like kubelet), no new pods.
            var before = s.servingDeployments().stream().map(d -> d.getMetadata().getName()).toList();
            s.client.resources(io.robustml.crds.RobustModel.class).inNamespace(ns.name()).withName(Scenario.MODEL).edit(m -> {
                m.getSpec().detector.rateLimit.requestsPerMinute = 60;
                return m;
            });
            java.time.Instant edited = java.time.Instant.now();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> s.harness
                    .volumeFile("fashion-classifier-" + robust + "-", "detector-config", "detector.json")
                    .filter(f -> f.replace(" ", "").contains("\"requestsPerMinute\":60")).isPresent());
            System.out.printf("[e2e] rate limit 600 -> 60/min in the spec: in the sidecar's mounted detector.json after %.1f s%n",
                    Duration.between(edited, java.time.Instant.now()).toMillis() / 1000.0);
            assertThat(s.servingDeployments().stream().map(d -> d.getMetadata().getName()).toList()).isEqualTo(before);
            s.assertHarnessHealthy();
        }
    }

    @Test
    void aRobustUpdateOfAStandardModelIsPromotedAcrossAnOperatorRestart(KubernetesClient client, TestNamespace ns, LocalControlPlane plane)
            throws Exception {
        try (Scenario s = Scenario.start(client, ns.name(), plane.repoRoot())) {
            // The standard model shipped while the team had no robustness SLO (any success rate passes) ...
            s.apply("standard", "1", SAMPLES);
            String standard = Revision.of(s.model().getSpec());
            Scenario.Timeline first = s.timeline(standard);
            first.awaitOutcome(ROLLOUT_TIMEOUT, x -> "Ready".equals(x.phase));
            System.out.println(first.summary("first release (standard, no robustness SLO): Passed"));

            // ... then the robust model with the SLO: judged against standard's numbers, and promoted.
            s.apply("robust", "0.35", SAMPLES);
            String robust = Revision.of(s.model().getSpec());
            Scenario.Timeline update = s.timeline(robust);
            // The operator stops while the tester runs (in-process: JOSDK stopped, not SIGKILL) and a new one
            // takes over: it resumes the same run, and there is one verdict.
            await().atMost(ROLLOUT_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                RobustModelStatus x = s.status();
                return x.analysis != null && robust.equals(x.analysis.revision) && x.analysis.startedAt != null
                        && s.run(x.analysis.runName) != null;
            });
            update.mark("analysis started", true);
            String runName = s.status().analysis.runName;
            s.stopOperator();
            System.out.println("[e2e] operator stopped during the analysis of " + runName);
            Thread.sleep(3000);
            s.startOperator();
            RobustModelStatus st = update.awaitOutcome(ROLLOUT_TIMEOUT, x -> robust.equals(x.stableRevision) && "Ready".equals(x.phase));
            System.out.println(update.summary("update to robust (operator restarted during analysis): Passed, promoted"));
            assertThat(st.lastAnalysis.verdict).isEqualTo("Passed");
            assertThat(st.lastAnalysis.runName).isEqualTo(runName);
            assertThat(client.resources(io.robustml.crds.AdversarialTestRun.class).inNamespace(ns.name()).list().getItems())
                    .as("one run for the robust revision").filteredOn(r -> robust.equals(r.getSpec().target.revision)).hasSize(1);
            assertThat(st.history).as("one verdict recorded").filteredOn(h -> robust.equals(h.revision)).hasSize(1);
            assertThat(st.canaryRevision).isNull();
            assertThat(s.inferThroughService()).contains("\"model_version\":\"" + robust + "\"");
            assertThat(s.harness.runningServingPods()).allMatch(p -> p.startsWith("fashion-classifier-" + robust));
            s.assertHarnessHealthy();
        }
    }

    static java.util.List<io.robustml.crds.model.RolloutSpec.DatasetChecksum> datasetChecksums(String... files) {
        return java.util.Arrays.stream(files).map(f -> {
            var c = new io.robustml.crds.model.RolloutSpec.DatasetChecksum();
            c.file = f;
            try {
                c.sha256 = Scenario.sha256Hex(java.nio.file.Files.readAllBytes(Scenario.DATASET.resolve(f)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return c;
        }).toList();
    }
}
