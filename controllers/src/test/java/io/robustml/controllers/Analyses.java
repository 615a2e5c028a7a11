package io.robustml.controllers;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.AnalysisResources;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The test plays the tester: it waits for the operator's AdversarialTestRun and writes its status, as
 * the tester's Job does (kwok runs no containers).
 */
final class Analyses {
    private Analyses() {
    }

    /** Installs the CRDs the build generates (idempotent: server-side apply). */
    static void installCrds(KubernetesClient client) {
        io.robustml.controlplane.CustomResourceDefinitions.applyFromClasspath(client,
                "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
        io.robustml.controlplane.CustomResourceDefinitions.applyFromClasspath(client,
                "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
    }

    /**
     * The reconciler run by JOSDK in-process for one namespace, its metrics in {@code registry}. A start whose
     * informers met a closed connection (the shared API server under the whole build's load) is tried again,
     * at most three times: that is the harness, not the operator under test.
     */
    static io.javaoperatorsdk.operator.Operator startOperator(KubernetesClient client, String ns,
            io.micrometer.core.instrument.MeterRegistry registry) {
        return startOperator(client, ns, registry, new io.javaoperatorsdk.operator.api.monitoring.Metrics() {
        });
    }

    /** As above, with JOSDK's metrics hook {@code metrics} (reconciles counted by a test). */
    static io.javaoperatorsdk.operator.Operator startOperator(KubernetesClient client, String ns,
            io.micrometer.core.instrument.MeterRegistry registry, io.javaoperatorsdk.operator.api.monitoring.Metrics metrics) {
        for (int attempt = 1; ; attempt++) {
            var operator = new io.javaoperatorsdk.operator.Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                    .withMetrics(metrics));
            operator.register(new RobustModelReconciler(java.time.Clock.systemUTC(),
                    io.robustml.controllers.dependent.ServingImages.tagged("robustml", "test"), registry), c -> c.settingNamespace(ns));
            try {
                operator.start();
                return operator;
            } catch (io.javaoperatorsdk.operator.OperatorException e) {
                if (attempt == 3 || !closedConnection(e)) {
                    throw e;
                }
                try {
                    operator.stop();
                } catch (RuntimeException stopping) {
                    // Half started: what did start stops with the test JVM.
                }
            }
        }
    }

    private static boolean closedConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException || t.getClass().getSimpleName().equals("HttpClosedException")) {
                return true;
            }
        }
        return false;
    }

    static io.robustml.crds.model.RobustModelStatus status(KubernetesClient client, String ns, String model) {
        return client.resources(RobustModel.class).inNamespace(ns).withName(model).get().getStatus();
    }

    /** A new model file: a new revision, so a rollout. */
    static void changeModel(KubernetesClient client, String ns, String model, String sha) {
        edit(client, ns, model, m -> {
            m.getSpec().model.sha256 = sha;
            return m;
        });
    }

    /**
     * A person's edit of the RobustModel (kubectl edit): read, change, write with the read version; the
     * operator writes the status meanwhile, so a 409 means "read again", as kubectl would.
     */
    static RobustModel edit(KubernetesClient client, String ns, String model, java.util.function.UnaryOperator<RobustModel> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resources(RobustModel.class).inNamespace(ns).withName(model).edit(change);
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    static List<Deployment> serving(KubernetesClient client, String ns, String model) {
        return client.apps().deployments().inNamespace(ns).withLabel(Labels.MODEL, model)
                .withLabel(Labels.COMPONENT, ServingDeployment.COMPONENT).list().getItems();
    }

    static Deployment servingRevision(KubernetesClient client, String ns, String model, String revision) {
        return client.apps().deployments().inNamespace(ns).withName(model + "-" + revision).get();
    }

    /** Waits for the run of the model's current analysis and returns it. */
    static AdversarialTestRun awaitRun(KubernetesClient client, String ns, String model, Duration timeout) {
        String[] name = new String[1];
        await().atMost(timeout).until(() -> {
            RobustModel m = client.resources(RobustModel.class).inNamespace(ns).withName(model).get();
            if (m.getStatus() == null || m.getStatus().analysis == null || m.getStatus().analysis.startedAt == null) {
                return false;
            }
            name[0] = m.getStatus().analysis.runName;
            return client.resources(AdversarialTestRun.class).inNamespace(ns).withName(name[0]).get() != null;
        });
        return client.resources(AdversarialTestRun.class).inNamespace(ns).withName(name[0]).get();
    }

    /** Writes a finished run's status, as the tester does. */
    static void finish(KubernetesClient client, AdversarialTestRun run, String asr, String clean) {
        client.resources(AdversarialTestRun.class).inNamespace(run.getMetadata().getNamespace())
                .withName(run.getMetadata().getName()).editStatus(r -> {
                    AdversarialTestRunStatus s = new AdversarialTestRunStatus();
                    s.phase = "Succeeded";
                    s.startTime = Instant.now().minusSeconds(5).toString();
                    s.completionTime = Instant.now().toString();
                    s.samples = run.getSpec().dataset.samples;
                    s.cleanAccuracy = io.robustml.crds.Decimals.value(clean);
                    s.adversarialSuccessRate = io.robustml.crds.Decimals.value(asr);
                    r.setStatus(s);
                    return r;
                });
    }

    /** Writes a run that could not measure, as the tester does when it cannot reach its target. */
    static void fail(KubernetesClient client, AdversarialTestRun run, String error) {
        client.resources(AdversarialTestRun.class).inNamespace(run.getMetadata().getNamespace())
                .withName(run.getMetadata().getName()).editStatus(r -> {
                    AdversarialTestRunStatus s = new AdversarialTestRunStatus();
                    s.phase = "Failed";
                    s.startTime = Instant.now().minusSeconds(5).toString();
                    s.completionTime = Instant.now().toString();
                    s.error = error;
                    r.setStatus(s);
                    return r;
                });
    }

    static void pass(KubernetesClient client, String ns, String model) {
        finish(client, awaitRun(client, ns, model, Duration.ofSeconds(60)), "0.05", "0.9");
    }

    static String runLabel() {
        return AnalysisResources.RUN_LABEL;
    }
}
