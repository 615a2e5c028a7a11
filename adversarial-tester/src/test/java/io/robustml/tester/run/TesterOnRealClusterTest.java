package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.controlplane.SidecarProcess;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tester's command, run as the analysis Job runs it, against the real model server and a real
 * API server: it reads its AdversarialTestRun and writes the status.
 */
@WithControlPlane
class TesterOnRealClusterTest {
    private static final Path REPO = Path.of("..");
    /** Calibrated with CalibrateFeatureSqueezing on 2,000 clean test images at a 5 % false-positive rate. */
    static final String SQUEEZING_THRESHOLD = "0.6516";
    static final int SQUEEZING_BITS = 4;
    private static ModelServerProcess server;

    @BeforeAll
    static void startModelServer() {
        server = ModelServerProcess.start(REPO, "standard", "fashion", Path.of("target/model-server.log"));
    }

    @AfterAll
    static void stopModelServer() {
        server.close();
    }

    @Test
    void measuresTheSuiteAndWritesACompleteStatus(KubernetesClient client, TestNamespace ns, LocalControlPlane cp)
            throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        AdversarialTestRun run = client.resource(load("run", server.url())).inNamespace(ns.name()).create();
        Path report = Path.of("target/tester-report.json");
        Files.deleteIfExists(report);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code = TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name(),
                "--report", report.toString(), "--batch-size", "50", "--latency-probes", "20"},
                new PrintStream(log, true, StandardCharsets.UTF_8), cp::newClient);
        System.out.print(log.toString(StandardCharsets.UTF_8));

        assertThat(code).isZero();
        AdversarialTestRunStatus s = status(client, run);
        assertThat(s.phase).isEqualTo("Succeeded");
        assertThat(s.startTime).isNotBlank();
        assertThat(s.completionTime).isNotBlank();
        assertThat(s.error).isNull();
        assertThat(s.samples).isEqualTo(100);
        assertThat(s.cleanAccuracy).isBetween(0.8, 0.97);
        assertThat(s.attacks).extracting(a -> a.name())
                .containsExactly("fgsm-linf-0.1", "pgd-linf-0.1-10steps", "square-linf-0.1", "noise-linf-0.1", "extraction-500");
        AdversarialTestRunStatus.AttackResult pgd = s.attacks.get(1);
        assertThat(pgd.adversarialSuccessRate()).isGreaterThan(0.8);
        assertThat(pgd.maxPerturbation()).isLessThanOrEqualTo(0.1 + 1e-6);
        assertThat(s.attacks.get(3).adversarialSuccessRate())
                .as("noise far below PGD").isLessThan(pgd.adversarialSuccessRate() / 3);
        assertThat(s.attacks.get(2).queriesUsed()).isPositive().isLessThanOrEqualTo(100L * 200);
        assertThat(s.attacks.get(2).medianQueriesToSuccess()).isPositive();
        assertThat(s.attacks.get(4).surrogateAgreement()).isGreaterThan(0.5);
        assertThat(s.adversarialSuccessRate).isEqualTo(pgd.adversarialSuccessRate());
        assertThat(s.latency.requests()).isEqualTo(20);
        assertThat(s.latency.p99Ms()).isGreaterThanOrEqualTo(s.latency.p50Ms());
        assertThat(s.detector).as("the model server shows no verdicts: detection not measured, not zero").isNull();
        assertThat(s.attacks).allSatisfy(a -> assertThat(a.detectionRecall()).isNull());
        assertThat(Files.readString(report)).contains("\"timing\"", "\"targetSeconds\"", "pgd-linf-0.1-10steps");
        assertThat(s.report).as("no <run>-report ConfigMap was made for this run: nothing to point at").isNull();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("no ConfigMap " + ns.name() + "/run-report");

        // A second start of the Job (e.g. a retried pod) finds the run done and changes nothing.
        assertThat(TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), cp::newClient)).isZero();
        assertThat(status(client, run).completionTime).isEqualTo(s.completionTime);
    }

    /**
     * Through the real sidecar with feature squeezing on: the tester is allowed to see verdicts, so
     * detection recall and the false-positive rate are measured, not assumed.
     */
    @Test
    void measuresDetectionThroughTheSidecar(KubernetesClient client, TestNamespace ns, LocalControlPlane cp) throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        Path config = Files.writeString(Path.of("target/detector-squeezing.json"), """
                {"model":"fashion","detector":{"methods":["featureSqueezing"],"action":"flag",
                 "featureSqueezing":{"threshold":"%s","bitDepth":%d,"medianWindow":2}}}""".formatted(SQUEEZING_THRESHOLD,
                SQUEEZING_BITS));
        try (SidecarProcess sidecar = SidecarProcess.start(REPO, server.url(), config, "tester-key",
                Path.of("target/sidecar.log"))) {
            AdversarialTestRun run = client.resource(load("through-sidecar", sidecar.url(), """
                    - {type: pgd, epsilon: "0.1", steps: 20}
                    - {type: noise, epsilon: "0.1"}
                    - {type: pgd, epsilon: "0.1", steps: 20, adaptive: true}
                    """)).inNamespace(ns.name()).create();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            int code = TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name(),
                    "--api-key", "tester-key", "--latency-probes", "20"},
                    new PrintStream(log, true, StandardCharsets.UTF_8), cp::newClient);
            System.out.print(log.toString(StandardCharsets.UTF_8));
            assertThat(code).isZero();
            AdversarialTestRunStatus s = status(client, run);
            System.out.printf("[detection] feature squeezing (bit depth %d, threshold %s) on the standard model, 100 images: "
                    + "recall %s (PGD-20 %s with success %s, noise %s, adaptive PGD-20 %s with success %s), false-positive "
                    + "rate %s, precision %s%n", SQUEEZING_BITS, SQUEEZING_THRESHOLD, s.detector.recall(),
                    s.attacks.get(0).detectionRecall(), s.attacks.get(0).adversarialSuccessRate(), s.attacks.get(1).detectionRecall(),
                    s.attacks.get(2).detectionRecall(), s.attacks.get(2).adversarialSuccessRate(), s.detector.falsePositiveRate(),
                    s.detector.precision());
            assertThat(s.phase).isEqualTo("Succeeded");
            assertThat(s.detector).isNotNull();
            assertThat(s.detector.falsePositiveRate()).isLessThanOrEqualTo(0.15);
            assertThat(s.attacks.get(0).detectionRecall()).isGreaterThan(0.0);
            assertThat(s.attacks.get(2).name()).isEqualTo("pgd-linf-0.1-adaptive");
            // The adaptive attack gets past the squeezers: the detector must not look strong on naive attacks alone.
            assertThat(s.attacks.get(2).detectionRecall())
                    .isLessThan(s.attacks.get(0).detectionRecall() / 2);
            assertThat(s.latency.requests()).isEqualTo(20);
        }
    }

    /** Square Attack through the sidecar's query-similarity detector: flagged within a few queries. */
    @Test
    void squareAttackIsFlaggedByQuerySimilarity(KubernetesClient client, TestNamespace ns, LocalControlPlane cp) throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        Path config = Files.writeString(Path.of("target/detector-similarity.json"),
                "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"querySimilarity\"],\"action\":\"flag\"}}");
        try (SidecarProcess sidecar = SidecarProcess.start(REPO, server.url(), config, "tester-key",
                Path.of("target/sidecar-similarity.log"))) {
            AdversarialTestRun run = client.resource(load("square-similarity", sidecar.url(), """
                    - {type: square, epsilon: "0.1", queryBudget: 100}
                    """)).inNamespace(ns.name()).create();
            // As the operator does: an empty ConfigMap made with the run, for the full report.
            client.configMaps().inNamespace(ns.name()).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName("square-similarity-report").endMetadata().build()).create();
            int code = TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name(),
                    "--api-key", "tester-key", "--latency-probes", "0"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), cp::newClient);
            assertThat(code).isZero();
            AdversarialTestRunStatus s = status(client, run);
            AdversarialTestRunStatus.AttackResult square = s.attacks.get(0);
            System.out.printf("[detection] query similarity vs the tester's Square Attack (eps 0.1, <= 100 queries, 100 images): "
                    + "success %s (median %s queries), detection recall %s, first flag at query %s (median), clean "
                    + "false-positive rate %s%n", square.adversarialSuccessRate(), square.medianQueriesToSuccess(),
                    square.detectionRecall(), square.queriesToFirstFlag(), s.detector.falsePositiveRate());
            // Examples that fall to Square's first query (its random stripes) cannot be caught by any
            // similarity detector (DESIGN §8); everything that needs a second query is.
            assertThat(square.detectionRecall()).isGreaterThanOrEqualTo(0.5);
            assertThat(square.queriesToFirstFlag()).isLessThanOrEqualTo(5);
            assertThat(s.detector.falsePositiveRate()).isLessThanOrEqualTo(0.01);

            // The full report outlives the pod: in the run's ConfigMap, the status pointing at it with its digest.
            assertThat(s.report).isNotNull();
            assertThat(s.report.configMap).isEqualTo("square-similarity-report");
            assertThat(s.report.key).isEqualTo("report.json");
            String stored = client.configMaps().inNamespace(ns.name()).withName(s.report.configMap).get().getData()
                    .get("report.json");
            assertThat(io.robustml.fetch.Sha256.of(stored.getBytes(StandardCharsets.UTF_8))).isEqualTo(s.report.sha256);
            assertThat((long) stored.getBytes(StandardCharsets.UTF_8).length).isEqualTo(s.report.bytes);
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stored);
            assertThat(json.path("attacks").get(0).path("name").asText()).isEqualTo(square.name());
            assertThat(json.path("attacks").get(0).path("queriesUsed").asLong()).isEqualTo(square.queriesUsed());
        }
    }

    /**
     * PRADA in the real sidecar: JBDA's synthetic queries are flagged, the knockoff's natural images are not. Each
     * mode is a fresh client of a sidecar of its own (after 100 natural queries, the clean evaluation's): a client
     * that sent many natural images first dilutes PRADA's test (PradaAgainstSyntheticQueriesTest).
     */
    @Test
    void jbdaIsFlaggedByPradaAndTheKnockoffIsNot(KubernetesClient client, TestNamespace ns, LocalControlPlane cp) throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        // block: judged before the answer (under flag the sidecar answers first and the verdict comes after it);
        // the analysis' own key is never blocked.
        Path config = Files.writeString(Path.of("target/detector-extraction.json"),
                "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"extraction\"],\"action\":\"block\"}}");
        AdversarialTestRunStatus.AttackResult knockoff = extraction("extraction-knockoff", "", config, client, ns, cp);
        AdversarialTestRunStatus.AttackResult jbda = extraction("extraction-jbda", ", mode: jbda", config, client, ns, cp);
        System.out.printf("[detection] PRADA (delta 0.9) vs extraction, 1,000 queries each, a fresh client each: knockoff agreement "
                + "%s, first flag %s; jbda agreement %s, first flag at query %s%n", knockoff.surrogateAgreement(),
                knockoff.queriesToFirstFlag(), jbda.surrogateAgreement(), jbda.queriesToFirstFlag());
        assertThat(jbda.name()).isEqualTo("extraction-jbda-1000");
        assertThat(knockoff.queriesToFirstFlag()).as("natural images look like any client's").isNull();
        assertThat(jbda.queriesToFirstFlag()).as("synthetic steps are what PRADA tests for").isNotNull().isLessThan(1000);
    }

    private AdversarialTestRunStatus.AttackResult extraction(String name, String mode, Path config, KubernetesClient client,
            TestNamespace ns, LocalControlPlane cp) throws Exception {
        try (SidecarProcess sidecar = SidecarProcess.start(REPO, server.url(), config, "tester-key",
                Path.of("target/sidecar-" + name + ".log"))) {
            AdversarialTestRun run = client.resource(load(name, sidecar.url(), "- {type: extraction, queryBudget: 1000" + mode + "}"))
                    .inNamespace(ns.name()).create();
            int code = TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name(),
                    "--api-key", "tester-key", "--latency-probes", "0"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), cp::newClient);
            assertThat(code).isZero();
            return status(client, run).attacks.get(0);
        }
    }

    /** A dataset file that does not match its listed digest: the run fails before anything is measured. */
    @Test
    void aDatasetWhoseChecksumDoesNotMatchIsRefused(KubernetesClient client, TestNamespace ns, LocalControlPlane cp)
            throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        String images = io.robustml.fetch.Sha256.of(dir.resolve("t10k-images-idx3-ubyte.gz"));
        String labels = io.robustml.fetch.Sha256.of(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        String wrong = (labels.charAt(0) == '0' ? "1" : "0") + labels.substring(1);
        AdversarialTestRun run = load("wrong-dataset", server.url(), "- {type: noise, epsilon: \"0.1\"}");
        var checksums = new java.util.ArrayList<io.robustml.crds.model.RolloutSpec.DatasetChecksum>();
        for (String[] c : new String[][] {{"t10k-images-idx3-ubyte.gz", images}, {"t10k-labels-idx1-ubyte.gz", wrong}}) {
            var checksum = new io.robustml.crds.model.RolloutSpec.DatasetChecksum();
            checksum.file = c[0];
            checksum.sha256 = c[1];
            checksums.add(checksum);
        }
        run.getSpec().dataset.checksums = checksums;
        run = client.resource(run).inNamespace(ns.name()).create();
        int code = TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), cp::newClient);
        assertThat(code).isEqualTo(1);
        AdversarialTestRunStatus s = status(client, run);
        assertThat(s.phase).isEqualTo("Failed");
        assertThat(s.error).contains("dataset file t10k-labels-idx1-ubyte.gz has sha256 " + labels, "says " + wrong,
                "nothing was measured");
        assertThat(s.attacks).isNull();
        assertThat(s.cleanAccuracy).isNull();
    }

    @Test
    void anUnreachableTargetFailsTheRunWithTheReason(KubernetesClient client, TestNamespace ns, LocalControlPlane cp)
            throws Exception {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        AdversarialTestRun run = client.resource(load("unreachable", "http://127.0.0.1:9")).inNamespace(ns.name()).create();
        int code = TesterMain.run(new String[] {"--run", run.getMetadata().getName(), "--namespace", ns.name()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), cp::newClient);
        assertThat(code).isEqualTo(1);
        AdversarialTestRunStatus s = status(client, run);
        assertThat(s.phase).isEqualTo("Failed");
        assertThat(s.error).contains("cannot reach http://127.0.0.1:9/v2/models/fashion");
        assertThat(s.attacks).isNull();
    }

    @Test
    void aWrongCommandLineIsAUsageError() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertThat(TesterMain.run(new String[] {"--batch-size", "0", "--run", "x"}, new PrintStream(log, true,
                StandardCharsets.UTF_8), () -> {
                    throw new AssertionError("no cluster access for a usage error");
                })).isEqualTo(2);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("--batch-size must be at least 1", "usage:");
    }

    /** The run's status as the API server has it now. */
    private static AdversarialTestRunStatus status(KubernetesClient client, AdversarialTestRun run) {
        return client.resources(AdversarialTestRun.class).inNamespace(run.getMetadata().getNamespace())
                .withName(run.getMetadata().getName()).get().getStatus();
    }

    private static AdversarialTestRun load(String name, String endpoint) {
        return load(name, endpoint, """
                - {type: fgsm, epsilon: "0.1"}
                - {type: pgd, epsilon: "0.1", steps: 10}
                - {type: square, epsilon: "0.1", queryBudget: 200}
                - {type: noise, epsilon: "0.1"}
                - {type: extraction, queryBudget: 500}
                """);
    }

    private static AdversarialTestRun load(String name, String endpoint, String attacks) {
        String model = ModelServerProcess.modelFile(REPO, "standard").toUri().toString();
        String yaml = """
                apiVersion: robustml.io/v1
                kind: AdversarialTestRun
                metadata:
                  name: %s
                spec:
                  target:
                    model: fashion
                    revision: 0123abcd
                    endpoint: %s
                    modelUri: %s
                    modelSha256: %s
                  access: whitebox
                  attacks:
                %s
                  dataset:
                    uri: file:///usr/share/datasets/fashion-mnist
                    samples: 100
                """.formatted(name, endpoint, model, ModelServerProcess.STANDARD_SHA256, attacks.indent(4).stripTrailing());
        return Serialization.unmarshal(yaml, AdversarialTestRun.class);
    }
}
