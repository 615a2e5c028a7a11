package io.robustml.controllers;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rollout latencies on the local control plane (kwok pods): time from a spec change to the canary's
 * pod Ready, and from a failed verdict to stable-only serving (canary Deployment and pods gone).
 * Baseline in the same run: a plain one-replica Deployment created directly, to its pod Ready — the
 * floor of the control plane itself.
 *
 * <pre>./mvnw -pl controllers -am -Pbench verify -Dtest=RolloutLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@WithControlPlane(podSecurity = "restricted")
class RolloutLatencyBenchmark {
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 5);
    private static final String MODEL = "fashion-classifier";

    @Test
    void rolloutLatencies(KubernetesClient client, TestNamespace ns) {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(new RobustModelReconciler(io.robustml.controllers.dependent.ServingImages.tagged("robustml", "test")), c -> c.settingNamespace(ns.name()));
        operator.start();
        try {
            double[] baseline = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                baseline[i] = plainDeployment(client, ns.name(), "plain-" + i);
            }
            RobustModel model = client.resources(RobustModel.class)
                    .load(getClass().getResourceAsStream("/robustmodel-minimal.yaml")).item();
            model.getMetadata().setNamespace(ns.name());
            client.resource(model).create();
            Analyses.pass(client, ns.name(), MODEL);
            await().atMost(Duration.ofSeconds(60)).until(() -> "Ready".equals(status(client, ns).phase));

            double[] toCanary = new double[ROUNDS];
            double[] toStableOnly = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                String sha = String.format("%064x", i + 1);
                long t0 = System.nanoTime();
                Analyses.edit(client, ns.name(), MODEL, m -> {
                    m.getSpec().model.sha256 = sha;
                    return m;
                });
                AdversarialTestRun run = Analyses.awaitRun(client, ns.name(), MODEL, Duration.ofSeconds(60));
                String canary = run.getSpec().target.revision;
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    Deployment d = Analyses.servingRevision(client, ns.name(), MODEL, canary);
                    return d != null && d.getStatus() != null && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas());
                });
                toCanary[i] = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                Analyses.finish(client, run, "0.9", "0.9");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() ->
                        Analyses.servingRevision(client, ns.name(), MODEL, canary) == null
                                && client.pods().inNamespace(ns.name()).withLabel(Labels.REVISION, canary)
                                        .withLabel(Labels.COMPONENT, "serving").list().getItems().isEmpty());
                toStableOnly[i] = (System.nanoTime() - t1) / 1e9;
            }
            // Fast re-promotion: a second revision passes; then the spec alternates between the two, each a
            // revert to a revision that passed within the rollback window (no analysis): until only it serves, Ready.
            String first = status(client, ns).stableRevision;
            String firstSha = client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getSpec().model.sha256;
            String secondSha = "b".repeat(64);
            Analyses.edit(client, ns.name(), MODEL, m -> {
                m.getSpec().model.sha256 = secondSha;
                return m;
            });
            AdversarialTestRun secondRun = Analyses.awaitRun(client, ns.name(), MODEL, Duration.ofSeconds(60));
            String second = secondRun.getSpec().target.revision;
            Analyses.finish(client, secondRun, "0.1", "0.9");
            await().atMost(Duration.ofSeconds(60)).until(() -> second.equals(status(client, ns).stableRevision)
                    && Analyses.serving(client, ns.name(), MODEL).size() == 1);
            double[] revert = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                String target = i % 2 == 0 ? first : second;
                String sha = i % 2 == 0 ? firstSha : secondSha;
                long t0 = System.nanoTime();
                Analyses.edit(client, ns.name(), MODEL, m -> {
                    m.getSpec().model.sha256 = sha;
                    return m;
                });
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    var serving = Analyses.serving(client, ns.name(), MODEL);
                    return target.equals(status(client, ns).stableRevision) && serving.size() == 1
                            && serving.get(0).getMetadata().getName().equals(MODEL + "-" + target)
                            && serving.get(0).getStatus() != null
                            && Integer.valueOf(ServingDeployment.desiredReplicas(model)).equals(serving.get(0).getStatus()
                                    .getReadyReplicas());
                });
                revert[i] = (System.nanoTime() - t0) / 1e9;
            }
            System.out.printf(Locale.ROOT, "%n[bench] %d rounds on the local control plane (kwok), medians (max):%n", ROUNDS);
            System.out.printf(Locale.ROOT, "[bench] plain Deployment -> pod Ready (baseline): %.2f s (%.2f)%n", median(baseline),
                    max(baseline));
            System.out.printf(Locale.ROOT, "[bench] spec change -> canary pod Ready: %.2f s (%.2f), %.1fx the baseline%n",
                    median(toCanary), max(toCanary), median(toCanary) / median(baseline));
            System.out.printf(Locale.ROOT, "[bench] failed verdict -> stable only (canary Deployment and pods gone): %.2f s (%.2f)%n",
                    median(toStableOnly), max(toStableOnly));
            System.out.printf(Locale.ROOT, "[bench] revert inside the rollback window -> only that revision serves, Ready, "
                    + "no analysis: %.2f s (%.2f), %.1fx the baseline%n", median(revert), max(revert), median(revert) / median(baseline));
        } finally {
            operator.stop();
        }
    }

    private static io.robustml.crds.model.RobustModelStatus status(KubernetesClient client, TestNamespace ns) {
        return client.resources(RobustModel.class).inNamespace(ns.name()).withName(MODEL).get().getStatus();
    }

    private static double plainDeployment(KubernetesClient client, String ns, String name) {
        Map<String, String> labels = Map.of("app", name);
        long t0 = System.nanoTime();
        client.resource(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1000L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName("c").withImage("example/plain:1").withNewSecurityContext()
                .withAllowPrivilegeEscalation(false).withNewCapabilities().addToDrop("ALL").endCapabilities()
                .endSecurityContext().endContainer().endSpec().endTemplate().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
            return d.getStatus() != null && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas());
        });
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
