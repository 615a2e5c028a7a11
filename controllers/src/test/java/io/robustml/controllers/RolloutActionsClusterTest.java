package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.robustml.controllers.status.Conditions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rollout's less happy paths on the real API server: analyses that cannot measure, a human's
 * abort and promote, a spec that changes again during an analysis, and an operator that is down while
 * things happen. The test plays the tester by writing the runs' status.
 */
@WithControlPlane(podSecurity = "restricted")
class RolloutActionsClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String MODEL = "fashion-classifier";
    private Operator operator;

    @BeforeEach
    void startOperator(KubernetesClient client, TestNamespace ns) {
        Analyses.installCrds(client);
        start(client, ns);
    }

    private void start(KubernetesClient client, TestNamespace ns) {
        operator = Analyses.startOperator(client, ns.name(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    private RobustModelStatus status(KubernetesClient client, TestNamespace ns) {
        return Analyses.status(client, ns.name(), MODEL);
    }

    private String stableModel(KubernetesClient client, TestNamespace ns) {
        RobustModel model = client.resources(RobustModel.class)
                .load(getClass().getResourceAsStream("/robustmodel-minimal.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        client.resource(model).create();
        Analyses.pass(client, ns.name(), MODEL);
        await().atMost(TIMEOUT).until(() -> "Ready".equals(status(client, ns).phase));
        return status(client, ns).stableRevision;
    }

    private void changeModel(KubernetesClient client, TestNamespace ns, String sha) {
        Analyses.changeModel(client, ns.name(), MODEL, sha);
    }

    private void annotate(KubernetesClient client, TestNamespace ns, String key, String value) {
        Analyses.edit(client, ns.name(), MODEL, m -> {
            Map<String, String> annotations = m.getMetadata().getAnnotations() == null ? new HashMap<>()
                    : new HashMap<>(m.getMetadata().getAnnotations());
            annotations.put(key, value);
            m.getMetadata().setAnnotations(annotations);
            return m;
        });
    }

    private static List<Event> events(KubernetesClient client, TestNamespace ns, String reason) {
        return client.v1().events().inNamespace(ns.name()).withField("involvedObject.name", MODEL).list().getItems()
                .stream().filter(e -> reason.equals(e.getReason())).toList();
    }

    private static int jobsOf(KubernetesClient client, TestNamespace ns, String revision) {
        return client.batch().v1().jobs().inNamespace(ns.name()).withLabel(Labels.REVISION, revision).list().getItems().size();
    }

    /** Asserts the canary is gone and stable serves alone, with the spec untouched. */
    private void assertRolledBack(KubernetesClient client, TestNamespace ns, String stable, String canary, long generation,
            String reason) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.rejectedRevision).isEqualTo(canary);
            assertThat(s.stableRevision).isEqualTo(stable);
            assertThat(s.canaryRevision).isNull();
            assertThat(Conditions.find(s.conditions, Conditions.DEGRADED)).get()
                    .satisfies(c -> assertThat(c.getReason()).isEqualTo(reason));
            assertThat(Analyses.servingRevision(client, ns.name(), MODEL, canary)).isNull();
            assertThat(Analyses.servingRevision(client, ns.name(), MODEL, stable)).isNotNull();
        });
        assertThat(client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getMetadata()
                .getGeneration()).as("the operator never writes the spec").isEqualTo(generation);
    }

    @Test
    void anAnalysisThatCannotMeasureIsRetriedThenRolledBack(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "5".repeat(64));
        long generation = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get()
                .getMetadata().getGeneration();
        AdversarialTestRun first = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = first.getSpec().target.revision;
        Analyses.fail(client, first, "cannot reach http://" + MODEL + "-" + canary + ": connection refused");

        // retries: 1 (the default) - a second attempt, then the rollback.
        await().atMost(TIMEOUT).until(() -> status(client, ns).analysis != null
                && (MODEL + "-" + canary + "-a2").equals(status(client, ns).analysis.runName));
        AdversarialTestRun second = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        assertThat(second.getMetadata().getName()).isEqualTo(MODEL + "-" + canary + "-a2");
        Analyses.fail(client, second, "cannot reach the canary again");

        assertRolledBack(client, ns, stable, canary, generation, "AnalysisInconclusive");
        assertThat(jobsOf(client, ns, canary)).as("one Job per attempt").isEqualTo(2);
        assertThat(status(client, ns).history.get(0).verdict).isEqualTo("Inconclusive");
    }

    @Test
    void anAbortRejectsTheCanaryOnceAndStableKeepsServing(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "6".repeat(64));
        long generation = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get()
                .getMetadata().getGeneration();
        String canary = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT).getSpec().target.revision;

        annotate(client, ns, "robustml.io/abort", "bob: the training data was poisoned");
        assertRolledBack(client, ns, stable, canary, generation, "Aborted");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events(client, ns, "Aborted")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("bob: the training data was poisoned")));

        // Handled once: touching the object again (same annotation value) does nothing more.
        annotate(client, ns, "example.com/touched", "yes");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(events(client, ns, "Aborted")).hasSize(1));
        assertThat(status(client, ns).rejectedRevision).isEqualTo(canary);
    }

    @Test
    void aManualPromotionSkipsTheAnalysisAndSaysWhoAsked(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "7".repeat(64));
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;

        annotate(client, ns, "robustml.io/promote", "carol: hotfix for incident 42");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.stableRevision).isEqualTo(canary);
            assertThat(s.history.get(0).verdict).isEqualTo("PromotedManually");
            assertThat(Analyses.servingRevision(client, ns.name(), MODEL, stable)).isNull();
        });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events(client, ns, "PromotedManually")).singleElement()
                .satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).contains("WITHOUT a passed analysis", "carol: hotfix for incident 42");
                }));
        // A late result of the abandoned run (if it is still there) changes nothing.
        if (client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(run.getMetadata().getName())
                .get() != null) {
            Analyses.finish(client, run, "0.9", "0.9");
        }
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(status(client, ns).stableRevision).isEqualTo(canary));
    }

    @Test
    void aSecondSpecChangeDuringTheAnalysisSupersedesTheFirstCanary(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "8".repeat(64));
        AdversarialTestRun first = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String firstCanary = first.getSpec().target.revision;

        changeModel(client, ns, "9".repeat(64));
        await().atMost(TIMEOUT).until(() -> status(client, ns).canaryRevision != null
                && !firstCanary.equals(status(client, ns).canaryRevision) && status(client, ns).analysis != null
                && status(client, ns).analysis.startedAt != null);
        AdversarialTestRun second = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String secondCanary = second.getSpec().target.revision;
        assertThat(secondCanary).isNotEqualTo(firstCanary);
        await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(Analyses.servingRevision(client, ns.name(), MODEL, firstCanary)).isNull());
        assertThat(events(client, ns, "CanarySuperseded")).isNotEmpty();

        // The first canary's late result (if its run is still there) must not decide anything.
        if (client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(first.getMetadata().getName())
                .get() != null) {
            Analyses.finish(client, first, "0.9", "0.9");
        }
        Analyses.finish(client, second, "0.1", "0.9");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.stableRevision).isEqualTo(secondCanary);
            assertThat(s.rejectedRevision).isNull();
            assertThat(Analyses.serving(client, ns.name(), MODEL)).extracting(d -> d.getMetadata().getName())
                    .containsExactly(MODEL + "-" + secondCanary);
        });
        assertThat(stable).isNotEqualTo(secondCanary);
    }

    @Test
    void aSpecChangeWhileTheOperatorIsDownStartsExactlyOneAnalysis(KubernetesClient client, TestNamespace ns) {
        stableModel(client, ns);
        operator.stop();
        changeModel(client, ns, "a".repeat(64));
        start(client, ns);
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;
        Analyses.finish(client, run, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> canary.equals(status(client, ns).stableRevision));
        assertThat(jobsOf(client, ns, canary)).isEqualTo(1);
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withLabel(Labels.REVISION, canary)
                .list().getItems()).hasSize(1);
    }

    @Test
    void aFailedVerdictWrittenWhileTheOperatorIsDownIsActedOnAfterTheRestart(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "b".repeat(64));
        long generation = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get()
                .getMetadata().getGeneration();
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;
        operator.stop();
        Analyses.finish(client, run, "0.9", "0.9");
        start(client, ns);
        assertRolledBack(client, ns, stable, canary, generation, "RobustnessRegression");
        assertThat(jobsOf(client, ns, canary)).isEqualTo(1);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events(client, ns, "RobustnessRegression")).hasSize(1));
    }

    /** The model's resourceVersion once it has not changed for two seconds (at most 30 s). */
    private static String settledResourceVersion(KubernetesClient client, TestNamespace ns) {
        java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong since = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String now = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getMetadata()
                    .getResourceVersion();
            if (!now.equals(last.getAndSet(now))) {
                since.set(System.nanoTime());
            }
            return System.nanoTime() - since.get() >= Duration.ofSeconds(2).toNanos();
        });
        return last.get();
    }

    @Test
    void aRestartAfterTheRollbackChangesNothing(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "c".repeat(64));
        long generation = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get()
                .getMetadata().getGeneration();
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;
        Analyses.finish(client, run, "0.9", "0.9");
        assertRolledBack(client, ns, stable, canary, generation, "RobustnessRegression");
        // The rollback's own last writes (the canary's objects going, readiness settling) may still be on the
        // way: the baseline is the object once it has stopped changing.
        String resourceVersion = settledResourceVersion(client, ns);

        operator.stop();
        start(client, ns);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getMetadata()
                    .getResourceVersion()).as("no status write after a restart with nothing to do").isEqualTo(resourceVersion);
            assertThat(jobsOf(client, ns, canary)).isEqualTo(1);
        });
        assertThat(events(client, ns, "RobustnessRegression")).hasSize(1);
    }
}
