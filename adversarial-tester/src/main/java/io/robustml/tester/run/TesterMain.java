package io.robustml.tester.run;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunStatus;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.OipTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The tester's command line (the analysis Job's container command).
 *
 * <pre>
 * adversarial-tester --run NAME [--namespace NS] [options]   # reads the run from the API server, writes its status
 * adversarial-tester --file RUN.yaml [options]                 # offline: prints the status as JSON
 * options: --report FILE --batch-size N --seed N --latency-probes N --pool-size N --api-key KEY --timeout-seconds N
 *          --endpoint URL (the target as reachable from where the tester runs, instead of spec.target.endpoint)
 *          --surrogate-model FILE (or ROBUSTML_TESTER_SURROGATE_MODEL: the model transfer attacks with surrogate: reference use)
 * </pre>
 *
 * Exit status: 0 when it measured (whatever the numbers), 1 when it could not (the reason is in the
 * run's status), 2 for a wrong command line.
 */
public final class TesterMain {
    static final int MEASURED = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    private static final String USAGE_TEXT = "usage: adversarial-tester (--run NAME [--namespace NS] | --file RUN.yaml) "
            + "[--report FILE] [--batch-size N] [--seed N] [--latency-probes N] [--pool-size N] [--api-key KEY] "
            + "[--timeout-seconds N] [--endpoint URL] [--surrogate-model FILE]";

    private TesterMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    /** Everything main does, minus the exit, so tests can call it. */
    public static int run(String[] args, PrintStream log) {
        return run(args, log, () -> new KubernetesClientBuilder().build());
    }

    /** As {@link #run(String[], PrintStream)}, with the API server client given (closed when done). */
    public static int run(String[] args, PrintStream log, Supplier<KubernetesClient> clients) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            log.println(e.getMessage());
            log.println(USAGE_TEXT);
            return USAGE;
        }
        if (options.file != null) {
            return offline(options, log);
        }
        try (KubernetesClient client = clients.get()) {
            String namespace = options.namespace != null ? options.namespace : client.getNamespace();
            ClusterStatusSink sink = new ClusterStatusSink(client, namespace, options.run, 5000, log);
            AdversarialTestRun run = sink.get();
            if (run == null) {
                log.println("no AdversarialTestRun " + namespace + "/" + options.run);
                return FAILED;
            }
            if (run.getStatus() != null && "Succeeded".equals(run.getStatus().phase)) {
                log.println("run " + namespace + "/" + options.run + " already succeeded; nothing to do");
                return MEASURED;
            }
            return evaluate(run, options, sink, log);
        } catch (KubernetesClientException e) {
            log.println("[tester] cannot read or update the run on the API server: " + e.getMessage());
            return FAILED;
        }
    }

    private static int offline(Options options, PrintStream log) {
        AdversarialTestRun run;
        try (InputStream in = Files.newInputStream(Path.of(options.file))) {
            run = Serialization.unmarshal(in, AdversarialTestRun.class);
        } catch (IOException | RuntimeException e) {
            log.println("cannot read " + options.file + ": " + e.getMessage());
            return USAGE;
        }
        AdversarialTestRunStatus status = new AdversarialTestRunStatus();
        RunStatusSink sink = new RunStatusSink() {
            @Override
            public void running() {
                status.phase = "Running";
            }

            @Override
            public void update(int done, int total, String summary) {
            }

            @Override
            public void succeeded(EvaluationReport report) {
                report.fill(status);
                status.phase = "Succeeded";
            }

            @Override
            public void failed(String error) {
                status.phase = "Failed";
                status.error = error;
            }
        };
        int code = evaluate(run, options, sink, log);
        System.out.println(Serialization.asJson(status));
        return code;
    }

    static int evaluate(AdversarialTestRun run, Options options, RunStatusSink sink, PrintStream log) {
        sink.running();
        try {
            Assignment assignment = Assignment.of(run.getSpec());
            if (options.endpoint != null) {
                assignment = assignment.withEndpoint(options.endpoint);
            }
            // Files in a store (s3://, https://) are fetched and verified before anything reads them.
            assignment = new RemoteFiles(options.environment, log).localize(assignment);
            // The model's input shape (its metadata) says how a dataset's images are laid out for it.
            OipTarget target = OipTarget.connect(assignment.endpoint(), assignment.model(), options.settings.batchSize(),
                    options.settings.apiKey(), Duration.ofSeconds(options.settings.timeoutSeconds()));
            // The attacker's own images (extraction, knockoff surrogates of transfer attacks), then calibration's.
            long[] shape = assignment.attackShape(target.exampleShape()); // channels first, whatever the model's layout
            int poolSize = Evaluation.poolSize(assignment, shape);
            EvaluationData data = EvaluationData.load(assignment.datasetUri(), assignment.samples(),
                    options.poolSize != null ? options.poolSize : poolSize, assignment.datasetChecksums(), shape,
                    assignment.columns()).in(assignment.inputRange());
            boolean whiteBox = assignment.needsModelFile();
            log.printf(Locale.ROOT, "[tester] %s revision %s at %s: %d examples, attacks %s%n", assignment.model(),
                    assignment.revision(), assignment.endpoint(), Math.min(assignment.samples(), data.test().count()),
                    assignment.attacks().stream().map(AttackPlan::name).toList());
            Progress progress = (done, total, summary) -> {
                log.printf(Locale.ROOT, "[tester] %d/%d: %s%n", done, total, summary);
                sink.update(done, total, summary);
            };
            boolean reference = assignment.attacks().stream().anyMatch(AttackPlan::reference);
            // The run's own surrogate (the operator mounts spec.threatModel.surrogateModel, digest checked) comes first.
            Assignment.ModelRef surrogateFile = assignment.surrogate() != null ? assignment.surrogate()
                    : options.surrogateModel == null ? null : new Assignment.ModelRef(options.surrogateModel, null);
            if (reference && surrogateFile == null) {
                throw new IllegalArgumentException("a transfer attack with surrogate: reference needs the surrogate model file: "
                        + "spec.surrogateModel, --surrogate-model FILE or ROBUSTML_TESTER_SURROGATE_MODEL");
            }
            EvaluationReport report;
            try (WhiteBoxModel model = whiteBox
                    ? WhiteBoxModel.load(ModelFile.resolve(assignment.modelUri(), assignment.modelSha256())) : null;
                    WhiteBoxModel surrogate = reference
                            ? WhiteBoxModel.load(ModelFile.resolve(surrogateFile.uri(), surrogateFile.sha256())) : null) {
                report = new Evaluation(assignment, options.settings, target, model, surrogate, target.exampleShape(), data, progress)
                        .run();
            }
            if (options.report != null) {
                Files.write(Path.of(options.report), ReportStore.json(report));
            }
            sink.succeeded(report);
            log.printf(Locale.ROOT, "[tester] done in %.1f s: clean accuracy %.4f, highest adversarial success rate %s%n",
                    report.timing().totalSeconds(), report.cleanAccuracy(), report.maxAdversarialSuccessRate());
            return MEASURED;
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            log.println("[tester] failed: " + message);
            try {
                sink.failed(message);
            } catch (RuntimeException statusNotWritten) {
                log.println("[tester] and could not write the run's status: " + statusNotWritten.getMessage());
            }
            return FAILED;
        }
    }

    /** Parsed command line. */
    static final class Options {
        String run;
        String namespace;
        String file;
        String report;
        String endpoint;
        Integer poolSize;
        String surrogateModel = System.getenv("ROBUSTML_TESTER_SURROGATE_MODEL");
        /** Where credentials and fetch settings come from: the pod's environment (a test's map). */
        java.util.function.Function<String, String> environment = System::getenv;
        Settings settings = Settings.defaults().withApiKey(System.getenv("ROBUSTML_TESTER_API_KEY"));

        static Options parse(String[] args) {
            Options o = new Options();
            Deque<String> rest = new ArrayDeque<>(List.of(args));
            int batch = o.settings.batchSize();
            long seed = o.settings.seed();
            int probes = o.settings.latencyProbes();
            int timeout = o.settings.timeoutSeconds();
            String apiKey = o.settings.apiKey();
            while (!rest.isEmpty()) {
                String flag = rest.pop();
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = rest.pop();
                switch (flag) {
                    case "--run" -> o.run = value;
                    case "--namespace" -> o.namespace = value;
                    case "--file" -> o.file = value;
                    case "--report" -> o.report = value;
                    case "--endpoint" -> o.endpoint = value;
                    case "--surrogate-model" -> o.surrogateModel = value;
                    case "--batch-size" -> batch = positive(flag, value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--latency-probes" -> probes = Integer.parseInt(value);
                    case "--pool-size" -> o.poolSize = positive(flag, value);
                    case "--api-key" -> apiKey = value;
                    case "--timeout-seconds" -> timeout = positive(flag, value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if ((o.run == null) == (o.file == null)) {
                throw new IllegalArgumentException("give exactly one of --run and --file");
            }
            o.settings = new Settings(batch, seed, probes, o.settings.squarePInit(), apiKey, timeout);
            return o;
        }

        private static int positive(String flag, String value) {
            int v;
            try {
                v = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, got " + value);
            }
            if (v < 1) {
                throw new IllegalArgumentException(flag + " must be at least 1");
            }
            return v;
        }
    }
}
