package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stable revision without numbers of its own (promoted by robustml.io/promote) is measured as the
 * baseline beside the next canary, and the canary's relative SLOs are judged against it.
 */
@WithControlPlane(podSecurity = "restricted")
class BaselineClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String MODEL = "fashion-classifier";
    private Operator operator;

    @BeforeEach
    void startOperator(KubernetesClient client, TestNamespace ns) {
        Analyses.installCrds(client);
        operator = Analyses.startOperator(client, ns.name(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    private RobustModelStatus status(KubernetesClient client, TestNamespace ns) {
        return Analyses.status(client, ns.name(), MODEL);
    }

    @Test
    void aManuallyPromotedStableIsMeasuredBesideTheNextCanary(KubernetesClient client, TestNamespace ns) {
        RobustModel model = client.resources(RobustModel.class)
                .load(getClass().getResourceAsStream("/robustmodel-minimal.yaml")).item();
        model.getMetadata().setNamespace(ns.name());
        model.getSpec().slos.maxAdversarialSuccessRateRatio = "2";
        model.getSpec().slos.maxCleanAccuracyDrop = "0.05";
        model.getMetadata().setAnnotations(new HashMap<>(Map.of("robustml.io/promote", "alice: hotfix, no time to test")));
        String firstSha = model.getSpec().model.sha256;
        client.resource(model).create();
        await().atMost(TIMEOUT).until(() -> status(client, ns) != null && status(client, ns).stableRevision != null);
        String stable = status(client, ns).stableRevision;
        assertThat(status(client, ns).history.get(0).verdict).isEqualTo("PromotedManually");

        Analyses.changeModel(client, ns.name(), MODEL, "4".repeat(64));
        AdversarialTestRun canaryRun = Analyses.awaitRun(client, ns.name(), MODEL, TIMEOUT);
        String canary = canaryRun.getSpec().target.revision;
        String baselineName = MODEL + "-" + stable + "-b1";
        await().atMost(TIMEOUT).until(() -> client.resources(AdversarialTestRun.class).inNamespace(ns.name())
                .withName(baselineName).get() != null);
        assertThat(status(client, ns).analysis.baselineRunName).isEqualTo(baselineName);
        AdversarialTestRun baselineRun = client.resources(AdversarialTestRun.class).inNamespace(ns.name())
                .withName(baselineName).get();
        assertThat(baselineRun.getSpec().target.revision).isEqualTo(stable);
        assertThat(baselineRun.getSpec().target.endpoint).isEqualTo("http://" + MODEL + "-" + stable + "." + ns.name() + ".svc");
        assertThat(baselineRun.getSpec().target.modelSha256).as("the stable revision's model, not the spec's").isEqualTo(firstSha);
        await().atMost(TIMEOUT).until(() -> client.batch().v1().jobs().inNamespace(ns.name()).withName(baselineName).get() != null
                && client.batch().v1().jobs().inNamespace(ns.name()).withName(canaryRun.getMetadata().getName()).get() != null);
        // One tester Role for both runs open at once.
        assertThat(client.rbac().roles().inNamespace(ns.name()).withName(MODEL + "-tester").get().getRules())
                .allSatisfy(r -> assertThat(r.getResourceNames()).containsExactlyInAnyOrderElementsOf(
                        java.util.stream.Stream.of(canaryRun.getMetadata().getName(), baselineName)
                                .map(n -> r.getResources().contains("configmaps") ? n + "-report" : n).toList()));

        // The canary finishes first, under the 0.3 cap: its verdict waits for the baseline.
        Analyses.finish(client, canaryRun, "0.15", "0.9");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
            RobustModelStatus s = status(client, ns);
            return canary.equals(s.canaryRevision) && stable.equals(s.stableRevision) && s.rejectedRevision == null;
        });

        // Stable measured at 0.05: the canary's 0.15 is 3x stable's, a regression under the absolute cap.
        Analyses.finish(client, baselineRun, "0.05", "0.92");
        await().atMost(TIMEOUT).until(() -> canary.equals(status(client, ns).rejectedRevision));
        RobustModelStatus s = status(client, ns);
        assertThat(s.stableRevision).isEqualTo(stable);
        assertThat(s.history).extracting(r -> r.revision + ":" + r.verdict)
                .containsExactly(canary + ":Failed", stable + ":Baseline", stable + ":PromotedManually");
        assertThat(s.history.get(1).adversarialSuccessRate).isEqualTo("0.05");
        assertThat(s.lastAnalysis.violatedSlos).containsExactly("adversarialSuccessRate 0.15 is more than 2 x stable's 0.05");
        assertThat(Conditions.find(s.conditions, Conditions.DEGRADED)).get()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("RobustnessRegression"));
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).withLabel(Labels.REVISION, stable)
                .list().getItems()).extracting(r -> r.getMetadata().getName()).contains(baselineName)
                .filteredOn(n -> n.contains("-b")).hasSize(1);
    }
}
