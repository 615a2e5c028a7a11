package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.robustml.controllers.status.Conditions;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Canary rollouts on the real API server: the operator in-process, kwok running the pods, the test
 * writing the AdversarialTestRun's status as the tester would.
 */
@WithControlPlane(podSecurity = "restricted")
class RolloutClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String MODEL = "fashion-classifier";
    private Operator operator;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    @BeforeEach
    void startOperator(KubernetesClient client, TestNamespace ns) {
        Analyses.installCrds(client);
        start(client, ns);
    }

    private void start(KubernetesClient client, TestNamespace ns) {
        operator = Analyses.startOperator(client, ns.name(), registry);
    }

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    private RobustModelStatus status(KubernetesClient client, TestNamespace ns) {
        return Analyses.status(client, ns.name(), MODEL);
    }

    /** Creates the model and lets its first revision pass; returns the stable revision. */
    private String stableModel(KubernetesClient client, TestNamespace ns) {
        RobustModel model = client.resources(RobustModel.class)
                .load(getClass().getResourceAsStream("/robustmodel-minimal.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        client.resource(model).create();
        AdversarialTestRun first = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        assertThat(first.getSpec().target.endpoint).isEqualTo("http://" + MODEL + "-" + first.getSpec().target.revision
                + "." + ns.name() + ".svc");
        // The run is created just before its Job.
        await().atMost(TIMEOUT).until(() -> client.batch().v1().jobs().inNamespace(ns.name())
                .withName(first.getMetadata().getName()).get() != null);
        Job job = client.batch().v1().jobs().inNamespace(ns.name()).withName(first.getMetadata().getName()).get();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsSequence("--run", first.getMetadata().getName(), "--namespace", ns.name());
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(MODEL + "-tester");
        assertThat(client.rbac().roles().inNamespace(ns.name()).withName(MODEL + "-tester").get().getRules())
                .allSatisfy(r -> assertThat(r.getResourceNames()).containsExactly(first.getMetadata().getName()
                        + (r.getResources().contains("configmaps") ? "-report" : "")));
        Analyses.finish(client, first, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> "Ready".equals(status(client, ns).phase));
        return status(client, ns).stableRevision;
    }

    private void changeModel(KubernetesClient client, TestNamespace ns, String sha) {
        Analyses.changeModel(client, ns.name(), MODEL, sha);
    }

    @Test
    void addingAnAttackReScansTheStableRevisionWithoutARollout(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        long generation = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getMetadata()
                .getGeneration();
        client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).edit(m -> {
            m.getSpec().rollout.rescan = new io.robustml.crds.model.RolloutSpec.RescanSpec();
            m.getSpec().rollout.rescan.onSuiteChange = true;
            io.robustml.crds.model.AttackSpec noise = new io.robustml.crds.model.AttackSpec();
            noise.type = io.robustml.crds.model.AttackSpec.AttackType.NOISE;
            noise.epsilon = "0.1";
            m.getSpec().threatModel.attacks = new java.util.ArrayList<>(m.getSpec().threatModel.attacks);
            m.getSpec().threatModel.attacks.add(noise);
            return m;
        });
        String rescan = MODEL + "-" + stable + "-r1";
        await().atMost(TIMEOUT).until(() -> client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(rescan).get() != null
                && client.batch().v1().jobs().inNamespace(ns.name()).withName(rescan).get() != null);
        AdversarialTestRun run = client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(rescan).get();
        assertThat(run.getSpec().target.revision).as("the stable revision, through its own Service").isEqualTo(stable);
        assertThat(run.getSpec().attacks).as("with the new suite").hasSizeGreaterThan(1);
        Analyses.finish(client, run, "0.9", "0.9");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.stableRevision).isEqualTo(stable);
            assertThat(s.canaryRevision).as("no rollout").isNull();
            assertThat(s.phase).isEqualTo("Degraded");
            assertThat(Conditions.find(s.conditions, Conditions.DEGRADED)).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("RescanFailed");
                assertThat(c.getMessage()).contains(rescan, "keeps serving");
            });
            assertThat(Conditions.find(s.conditions, Conditions.READY)).hasValueSatisfying(c -> assertThat(c.getStatus())
                    .as("stable still serves").isEqualTo("True"));
        });
        assertThat(client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getMetadata().getGeneration())
                .as("the spec as edited, nothing more").isEqualTo(generation + 1);
        assertThat(client.apps().deployments().inNamespace(ns.name()).withLabel(Labels.MODEL, MODEL).list().getItems())
                .extracting(d -> d.getMetadata().getLabels().get(Labels.REVISION)).containsOnly(stable);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns.name())
                .withField("involvedObject.name", MODEL).list().getItems()).extracting(e -> e.getReason())
                .contains("RescanStarted", "RescanFailed"));
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(rescan).get().getStatus().verdict)
                .isEqualTo("Failed");
    }

    @Test
    void aScheduledReScanStartsAtItsTimeWithNoOtherEventAndAnInvalidScheduleIsReported(KubernetesClient client,
            TestNamespace ns) {
        String stable = stableModel(client, ns);
        client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).edit(m -> {
            m.getSpec().rollout.rescan = new io.robustml.crds.model.RolloutSpec.RescanSpec();
            m.getSpec().rollout.rescan.schedule = "* * * * *";
            return m;
        });
        RobustModelStatus promoted = status(client, ns);
        java.time.Instant due = java.time.Instant.parse(promoted.history.get(0).at).truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
                .plusSeconds(60);
        String rescan = MODEL + "-" + stable + "-r1";
        // Nothing else happens to the model: the operator's own wake-up starts it.
        await().atMost(Duration.ofSeconds(75)).pollInterval(Duration.ofMillis(250)).until(() ->
                client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(rescan).get() != null);
        AdversarialTestRun run = client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(rescan).get();
        assertThat(java.time.Instant.parse(run.getMetadata().getCreationTimestamp())).as("not before its time")
                .isAfterOrEqualTo(due.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(run.getSpec().target.revision).isEqualTo(stable);
        await().atMost(TIMEOUT).until(() -> client.batch().v1().jobs().inNamespace(ns.name()).withName(rescan).get() != null);
        Analyses.finish(client, run, "0.1", "0.9");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.history.get(0).verdict).isEqualTo("Rescanned");
            assertThat(s.lastRescan.runName).isEqualTo(rescan);
            assertThat(s.phase).isEqualTo("Ready");
            assertThat(s.canaryRevision).as("no rollout").isNull();
        });
        assertThat(client.v1().events().inNamespace(ns.name()).withField("involvedObject.name", MODEL).list().getItems())
                .filteredOn(e -> "RescanStarted".equals(e.getReason())).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("schedule \"* * * * *\""));

        // A range written backwards passes the CRD's pattern; the operator says why it schedules nothing.
        client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).edit(m -> {
            m.getSpec().rollout.rescan.schedule = "5-2 * * * *";
            return m;
        });
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns.name())
                .withField("involvedObject.name", MODEL).list().getItems()).filteredOn(e -> "InvalidRescanSchedule".equals(e.getReason()))
                .singleElement().satisfies(e -> assertThat(e.getMessage()).contains("spec.rollout.rescan.schedule", "5-2")));
    }

    @Test
    void aPassingCanaryIsPromotedAndTheOldRevisionGoes(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "1".repeat(64));
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;
        assertThat(canary).isNotEqualTo(stable);
        // Canary beside stable: 2 stable pods, 1 canary pod, both behind the model's Service.
        assertThat(Analyses.servingRevision(client, ns.name(), MODEL, stable).getSpec().getReplicas()).isEqualTo(2);
        assertThat(Analyses.servingRevision(client, ns.name(), MODEL, canary).getSpec().getReplicas()).isEqualTo(1);
        assertThat(Conditions.find(status(client, ns).conditions, Conditions.PROGRESSING)).get()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("Analyzing"));

        Analyses.finish(client, run, "0.12", "0.9");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.stableRevision).isEqualTo(canary);
            assertThat(s.canaryRevision).isNull();
            assertThat(s.phase).isEqualTo("Ready");
            assertThat(Analyses.serving(client, ns.name(), MODEL)).extracting(d -> d.getMetadata().getName())
                    .containsExactly(MODEL + "-" + canary);
            assertThat(Analyses.servingRevision(client, ns.name(), MODEL, canary).getSpec().getReplicas()).isEqualTo(2);
        });
        assertThat(status(client, ns).history).extracting(r -> r.revision + ":" + r.verdict)
                .containsExactly(canary + ":Passed", stable + ":Passed");
        // The promoted revision's analysis figures are gauges; the retired revision's series are gone.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(registry.get("robustml_analysis_adversarial_success_rate").tags("namespace", ns.name(), "model", MODEL,
                    "revision", canary, "attack", "all").gauge().value()).isEqualTo(0.12);
            assertThat(registry.get("robustml_analysis_clean_accuracy").tags("revision", canary).gauge().value()).isEqualTo(0.9);
            assertThat(registry.find("robustml_analysis_clean_accuracy").tags("revision", stable).gauge()).isNull();
        });
    }

    @Test
    void aRegressingCanaryIsRolledBackWithTheSpecUntouched(KubernetesClient client, TestNamespace ns) {
        String stable = stableModel(client, ns);
        changeModel(client, ns, "2".repeat(64));
        RobustModel changed = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get();
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(ns.name()).withLabel(Labels.REVISION, canary)
                .withLabel(Labels.COMPONENT, "serving").list()
                .getItems().size() == 1);

        long failedAt = System.nanoTime();
        Analyses.finish(client, run, "0.9", "0.9"); // ASR 0.9 > max 0.3
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() ->
                Analyses.servingRevision(client, ns.name(), MODEL, canary) == null
                        && client.pods().inNamespace(ns.name()).withLabel(Labels.REVISION, canary)
                .withLabel(Labels.COMPONENT, "serving").list().getItems().isEmpty());
        double seconds = (System.nanoTime() - failedAt) / 1e9;
        System.out.printf("[rollout] failed verdict written -> canary Deployment and pods gone: %.2f s%n", seconds);

        RobustModel after = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get();
        assertThat(after.getMetadata().getGeneration()).as("the operator never writes spec").isEqualTo(changed.getMetadata().getGeneration());
        assertThat(after.getSpec().model.sha256).isEqualTo("2".repeat(64));
        RobustModelStatus s = after.getStatus();
        assertThat(s.stableRevision).isEqualTo(stable);
        assertThat(s.rejectedRevision).isEqualTo(canary);
        assertThat(s.phase).isEqualTo("Degraded");
        assertThat(Conditions.find(s.conditions, Conditions.DEGRADED)).get().satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("RobustnessRegression");
            assertThat(c.getMessage()).contains("adversarialSuccessRate 0.9 > max 0.3", "robustml.io/retry");
        });
        assertThat(Conditions.isTrue(s.conditions, Conditions.READY)).as("stable keeps serving").isTrue();
        Deployment stableDeployment = Analyses.servingRevision(client, ns.name(), MODEL, stable);
        assertThat(stableDeployment.getSpec().getReplicas()).isEqualTo(2);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns.name())
                .withField("involvedObject.name", MODEL).list().getItems()).anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo("RobustnessRegression");
                }));

        // A human asks for another analysis of the same spec: a new run, never the rejected one's numbers.
        Analyses.edit(client, ns.name(), MODEL, m -> {
            m.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of("robustml.io/retry", "after-fix-1")));
            return m;
        });
        AdversarialTestRun second = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        assertThat(second.getMetadata().getName()).isEqualTo(MODEL + "-" + canary + "-a2");
        Analyses.finish(client, second, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> canary.equals(status(client, ns).stableRevision));

        // The counters follow the status write that records a decision, so the API server may show the
        // promotion a moment before they move.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(registry.counter("robustml_rollout_rollbacks_total", "namespace", ns.name(), "model", MODEL,
                    "reason", "RobustnessRegression").count()).isEqualTo(1.0);
            assertThat(registry.counter("robustml_rollout_promotions_total", "namespace", ns.name(), "model", MODEL).count())
                    .as("the first revision, then the retried canary").isEqualTo(2.0);
            assertThat(registry.counter("robustml_analysis_runs_started_total", "namespace", ns.name(), "model", MODEL)
                    .count()).isEqualTo(3.0);
        });
        // The gauge counts from the informer's cache, which may see the promotion a moment after the API server.
        await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(registry.get("robustml_models").tag("phase", "Ready").gauge().value()).isEqualTo(1.0));
    }

    @Test
    void aRevertInsideTheRollbackWindowIsPromotedAtOnceAndOutsideItIsAnalysed(KubernetesClient client, TestNamespace ns) {
        String first = stableModel(client, ns);
        String firstSha = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getSpec().model.sha256;
        changeModel(client, ns, "4".repeat(64));
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String second = run.getSpec().target.revision;
        Analyses.finish(client, run, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> second.equals(status(client, ns).stableRevision)
                && Analyses.serving(client, ns.name(), MODEL).size() == 1);

        // git revert: the spec names the first revision again, which passed minutes ago with this suite.
        long revertedAt = System.nanoTime();
        changeModel(client, ns, firstSha);
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> first.equals(status(client, ns).stableRevision)
                && Analyses.serving(client, ns.name(), MODEL).stream().map(d -> d.getMetadata().getName()).toList()
                        .equals(java.util.List.of(MODEL + "-" + first)));
        System.out.printf("[rollout] revert inside the window -> stable-only traffic on the earlier revision: %.2f s%n",
                (System.nanoTime() - revertedAt) / 1e9);
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withLabel(Labels.REVISION, first).list()
                .getItems()).as("no new analysis of the reverted revision").hasSize(1);
        assertThat(client.batch().v1().jobs().inNamespace(ns.name()).withLabel(Labels.REVISION, first).list().getItems())
                .hasSize(1);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns.name())
                .withField("involvedObject.name", MODEL).list().getItems())
                .anySatisfy(e -> assertThat(e.getMessage()).contains("revision " + first + " promoted again without a new analysis")));

        // Outside the window (shrunk to 1 s; a rollout setting, so no new revision): analysed like any change.
        Analyses.edit(client, ns.name(), MODEL, m -> {
            m.getSpec().rollout.rollbackWindow = "1s";
            return m;
        });
        await().pollDelay(Duration.ofMillis(1500)).atMost(TIMEOUT).until(() -> true);
        changeModel(client, ns, "4".repeat(64));
        AdversarialTestRun again = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        assertThat(again.getSpec().target.revision).isEqualTo(second);
        assertThat(again.getMetadata().getName()).isEqualTo(MODEL + "-" + second + "-a2");
        assertThat(status(client, ns).stableRevision).isEqualTo(first);
    }

    @Test
    void finishedRunsBeyondTheRetentionGoWithTheirJobsButNotTheOneThatPromotedWhatServes(KubernetesClient client,
            TestNamespace ns) {
        String first = stableModel(client, ns);
        String firstRun = status(client, ns).history.get(0).runName;
        Analyses.edit(client, ns.name(), MODEL, m -> {
            m.getSpec().rollout.analysis.retention = new io.robustml.crds.model.RolloutSpec.RetentionSpec();
            m.getSpec().rollout.analysis.retention.runs = 1;
            return m;
        });
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(firstRun).get())
                .as("it promoted the serving revision").isNotNull();
        assertThat(client.configMaps().inNamespace(ns.name()).withName(firstRun + "-report").get())
                .as("made with the run, for the tester's full report").isNotNull();
        changeModel(client, ns, "5".repeat(64));
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        Analyses.finish(client, run, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> run.getSpec().target.revision.equals(status(client, ns).stableRevision));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(firstRun).get()).isNull();
            assertThat(client.batch().v1().jobs().inNamespace(ns.name()).withName(firstRun).get()).isNull();
            assertThat(client.configMaps().inNamespace(ns.name()).withName(firstRun + "-report").get()).isNull();
        });
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(run.getMetadata().getName())
                .get()).isNotNull();
        assertThat(first).isNotEqualTo(run.getSpec().target.revision);
    }

    @Test
    void aKeptRunOfTheSameNameThatThisAnalysisDidNotCreateIsNeverJudged(KubernetesClient client, TestNamespace ns) {
        // As when the history (ten records) has dropped a revision's old analyses while an old run of theirs is
        // kept: the next analysis is named like that run, which already says Succeeded with excellent numbers.
        operator.stop();
        RobustModel model = client.resources(RobustModel.class).load(getClass().getResourceAsStream("/robustmodel-minimal.yaml"))
                .item();
        model.getMetadata().setNamespace(ns.name());
        RobustModel stored = client.resource(model).create();
        String revision = Revision.of(stored.getSpec());
        String taken = io.robustml.controllers.rollout.RolloutPlanner.runName(MODEL, revision, 1);
        AdversarialTestRun old = client.resource(io.robustml.controllers.dependent.AnalysisResources.run(stored, taken, revision))
                .create();
        Analyses.finish(client, old, "0.01", "0.99");
        start(client, ns);

        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        assertThat(run.getMetadata().getName()).as("a run of its own, under the next name")
                .isEqualTo(io.robustml.controllers.rollout.RolloutPlanner.runName(MODEL, revision, 2));
        assertThat(status(client, ns).stableRevision).as("never promoted on the kept run's numbers").isNull();
        assertThat(client.v1().events().inNamespace(ns.name()).list().getItems())
                .anySatisfy(e -> assertThat(e.getReason() + ": " + e.getMessage()).startsWith("RunNameCollision: run " + taken));
        Analyses.finish(client, run, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> revision.equals(status(client, ns).stableRevision));
        assertThat(status(client, ns).history).singleElement().satisfies(r -> assertThat(r.runName).isEqualTo(run.getMetadata()
                .getName()));
    }

    @Test
    void aCanaryWhosePodsNeverBecomeReadyIsRetriedThenRolledBackAtItsProgressDeadline(KubernetesClient client,
            TestNamespace ns) {
        String stable = stableModel(client, ns);
        // A canary no node can take: its pods stay Pending, so it never becomes Ready.
        Analyses.edit(client, ns.name(), MODEL, m -> {
            m.getSpec().serving.nodeSelector = java.util.Map.of("robustml.io/test-no-such-node", "true");
            m.getSpec().rollout.progressDeadlineSeconds = 2;
            return m;
        });
        long edited = System.nanoTime();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            RobustModelStatus s = status(client, ns);
            assertThat(s.rejectedRevision).isNotNull().isNotEqualTo(stable);
            assertThat(s.canaryRevision).isNull();
        });
        double seconds = (System.nanoTime() - edited) / 1e9;
        RobustModelStatus s = status(client, ns);
        String canary = s.rejectedRevision;
        System.out.printf("[rollout] canary never Ready, deadline 2 s, 1 retry: rolled back %.1f s after the edit%n", seconds);
        assertThat(s.stableRevision).isEqualTo(stable);
        assertThat(s.lastAnalysis.verdict).isEqualTo("Inconclusive");
        assertThat(s.lastAnalysis.revision).isEqualTo(canary);
        assertThat(seconds).as("two attempts of 2 s each, acted on at their deadlines").isLessThan(14);
        await().atMost(TIMEOUT).until(() -> Analyses.servingRevision(client, ns.name(), MODEL, canary) == null);
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withLabel(Labels.REVISION, canary).list()
                .getItems()).as("no analysis ran: there were no Ready pods to attack").isEmpty();
        var reasons = client.v1().events().inNamespace(ns.name()).withField("involvedObject.name", MODEL).list().getItems()
                .stream().filter(e -> e.getMessage() != null && e.getMessage().contains(canary)).map(e -> e.getReason()).toList();
        assertThat(reasons).as("each step evented").contains("AnalysisInconclusive");
        assertThat(client.v1().events().inNamespace(ns.name()).withField("involvedObject.name", MODEL).list().getItems())
                .filteredOn(e -> "AnalysisInconclusive".equals(e.getReason()))
                .anySatisfy(e -> assertThat(e.getMessage()).contains("retrying", "rollout.progressDeadlineSeconds"))
                .anySatisfy(e -> assertThat(e.getMessage()).contains("rolled back after 2 inconclusive attempt(s)"));
        assertThat(client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getSpec().serving.nodeSelector)
                .as("the spec is never edited").containsKey("robustml.io/test-no-such-node");
    }

    @Test
    void aRestartedOperatorResumesTheAnalysisWithoutASecondRun(KubernetesClient client, TestNamespace ns) {
        stableModel(client, ns);
        changeModel(client, ns, "3".repeat(64));
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        operator.stop();
        start(client, ns);
        Analyses.finish(client, run, "0.1", "0.9");
        await().atMost(TIMEOUT).until(() -> run.getSpec().target.revision.equals(status(client, ns).stableRevision));
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name())
                .withLabel(Labels.REVISION, run.getSpec().target.revision).list().getItems()).hasSize(1);
        assertThat(client.batch().v1().jobs().inNamespace(ns.name())
                .withLabel(Labels.REVISION, run.getSpec().target.revision).list().getItems()).hasSize(1);
    }

    @Test
    void underAWeightTheRouteFeedsAReadyCanaryAndDropsItOnRollback(KubernetesClient client, TestNamespace ns) {
        CustomResourceDefinitions.installGatewayApi(client);
        RobustModel model = client.resources(RobustModel.class)
                .load(getClass().getResourceAsStream("/robustmodel-minimal.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        model.getSpec().rollout.canary = new io.robustml.crds.model.RolloutSpec.CanarySpec();
        model.getSpec().rollout.canary.weight = 25;
        model.getSpec().rollout.canary.exposeDuringAnalysis = true; // else the canary gets 0 until it passes
        model.getSpec().rollout.canary.gateway = new io.robustml.crds.model.RolloutSpec.GatewayRef();
        model.getSpec().rollout.canary.gateway.name = "public";
        client.resource(model).create();
        Analyses.pass(client, ns.name(), MODEL);
        await().atMost(TIMEOUT).until(() -> "Ready".equals(status(client, ns).phase));
        String stable = status(client, ns).stableRevision;
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(routeWeights(client, ns)).containsExactly(stable + ":100"));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.services().inNamespace(ns.name()).withName(MODEL).get()
                .getSpec().getSelector()).containsEntry(Labels.REVISION, stable));

        changeModel(client, ns, "4".repeat(64));
        AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = run.getSpec().target.revision;
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(routeWeights(client, ns))
                .containsExactly(stable + ":75", canary + ":25"));
        assertThat(client.services().inNamespace(ns.name()).withName(MODEL).get().getSpec().getSelector())
                .as("in-cluster clients of the model's Service never reach the canary").containsEntry(Labels.REVISION, stable);

        Analyses.finish(client, run, "0.9", "0.9");
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(routeWeights(client, ns)).containsExactly(stable + ":100");
            assertThat(Analyses.servingRevision(client, ns.name(), MODEL, canary)).isNull();
        });
        // kubectl get adversarialtestruns shows the verdict the run led to.
        await().atMost(TIMEOUT).untilAsserted(() -> {
            var judged = client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withName(run.getMetadata().getName()).get();
            assertThat(judged.getStatus().verdict).isEqualTo("Failed");
            assertThat(judged.getStatus().violatedSlos).isNotEmpty();
            assertThat(judged.getStatus().adversarialSuccessRate).as("the tester's numbers kept").isEqualTo(0.9);
        });

        // Back to replica-sized canaries: the route the operator made goes.
        Analyses.edit(client, ns.name(), MODEL, m -> {
            m.getSpec().rollout.canary = new io.robustml.crds.model.RolloutSpec.CanarySpec();
            m.getSpec().rollout.canary.replicas = 1;
            return m;
        });
        await().atMost(TIMEOUT).until(() -> route(client, ns) == null);
    }

    private static io.fabric8.kubernetes.api.model.GenericKubernetesResource route(KubernetesClient client, TestNamespace ns) {
        return client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute").inNamespace(ns.name())
                .withName(MODEL).get();
    }

    @SuppressWarnings("unchecked")
    private static java.util.List<String> routeWeights(KubernetesClient client, TestNamespace ns) {
        var route = route(client, ns);
        if (route == null) {
            return java.util.List.of();
        }
        var spec = (java.util.Map<String, Object>) route.getAdditionalProperties().get("spec");
        var rules = (java.util.List<java.util.Map<String, Object>>) spec.get("rules");
        return ((java.util.List<java.util.Map<String, Object>>) rules.get(0).get("backendRefs")).stream()
                .map(b -> ((String) b.get("name")).substring(MODEL.length() + 1) + ":" + b.get("weight")).toList();
    }
}
