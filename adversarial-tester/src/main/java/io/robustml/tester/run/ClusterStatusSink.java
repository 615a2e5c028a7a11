package io.robustml.tester.run;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

/**
 * Writes the tester's fields of an AdversarialTestRun's status through the status subresource. Edits
 * are patches of the fields that changed, so the operator's fields (verdict, violated SLOs) are kept.
 * Progress is written at most every {@code progressIntervalMillis}. On success the full JSON report
 * goes to the run's report ConfigMap ({@link ReportStore}) and the status points at it.
 */
public final class ClusterStatusSink implements RunStatusSink {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Resource<AdversarialTestRun> run;
    private final long progressIntervalMillis;
    private final java.io.PrintStream log;
    private long lastProgress;

    public ClusterStatusSink(KubernetesClient client, String namespace, String name, long progressIntervalMillis) {
        this(client, namespace, name, progressIntervalMillis, System.err);
    }

    public ClusterStatusSink(KubernetesClient client, String namespace, String name, long progressIntervalMillis,
            java.io.PrintStream log) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.run = client.resources(AdversarialTestRun.class).inNamespace(namespace).withName(name);
        this.progressIntervalMillis = progressIntervalMillis;
        this.log = log;
    }

    public AdversarialTestRun get() {
        return run.get();
    }

    @Override
    public void running() {
        edit(s -> {
            s.phase = "Running";
            s.startTime = now();
            s.completionTime = null;
            s.error = null;
        });
    }

    @Override
    public void update(int examplesDone, int examples, String summary) {
        long now = System.currentTimeMillis();
        if (now - lastProgress < progressIntervalMillis && examplesDone < examples) {
            return;
        }
        lastProgress = now;
        edit(s -> {
            s.examplesDone = examplesDone;
            s.progress = examplesDone + "/" + examples + ": " + summary;
        });
    }

    @Override
    public void succeeded(EvaluationReport report) {
        // The full report first, so the status never points at a report that is not there.
        var stored = ReportStore.store(client, namespace, name, report, log);
        edit(s -> {
            report.fill(s);
            s.report = stored.orElse(null);
            s.phase = "Succeeded";
            s.completionTime = now();
        });
    }

    @Override
    public void failed(String error) {
        edit(s -> {
            s.phase = "Failed";
            s.error = error.length() > 4000 ? error.substring(0, 4000) + "…" : error;
            s.progress = null;
            s.completionTime = now();
        });
    }

    private void edit(Consumer<AdversarialTestRunStatus> change) {
        run.editStatus(r -> {
            if (r.getStatus() == null) {
                r.setStatus(new AdversarialTestRunStatus());
            }
            change.accept(r.getStatus());
            return r;
        });
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
