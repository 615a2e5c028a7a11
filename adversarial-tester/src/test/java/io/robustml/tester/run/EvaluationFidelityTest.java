package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunStatus.AttackResult;
import io.robustml.crds.run.AdversarialTestRunStatus.ClassResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CleanClassResult;
import io.robustml.crds.run.AdversarialTestRunStatus.FeatureSqueezingCalibration;
import io.robustml.crds.run.AdversarialTestRunStatus.QuerySimilarityCalibration;
import io.robustml.crds.run.AdversarialTestRunStatus;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.Pgd;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.Batches;
import io.robustml.tester.targets.LabelOnlyTarget;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite against the reference models in-process (LocalTarget, the same Evaluation the Job runs):
 * attacks that fit the endpoint's exposure, transfer, targeted attacks, per-class figures, the
 * regression corpus.
 */
class EvaluationFidelityTest {
    static final Path MODELS = Path.of("../model-server/models");
    static final String FASHION = "/usr/share/datasets/fashion-mnist";
    static final long[] SHAPE = {1, 28, 28};
    static final String LABELS = "[t-shirt, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, boot]";
    private static WhiteBoxModel standard;
    private static WhiteBoxModel robust;

    @BeforeAll
    static void load() throws Exception {
        standard = WhiteBoxModel.load(MODELS.resolve("fashion-standard.pt"));
        robust = WhiteBoxModel.load(MODELS.resolve("fashion-robust.pt"));
    }

    @AfterAll
    static void close() {
        standard.close();
        robust.close();
    }

    @Test
    void labelOnlyEndpointSkipsSquareAndHopSkipJumpBeatsTheStandardModelWithinEpsilon() throws Exception {
        Assignment a = assignment("""
                - {type: hopskipjump, epsilon: "0.1", queryBudget: 1000}
                - {type: square, epsilon: "0.1", queryBudget: 300}
                """, 30, "detector: {outputHardening: {exposure: label}}");
        long t0 = System.nanoTime();
        EvaluationReport r = evaluate(a, new LabelOnlyTarget(new LocalTarget(standard, SHAPE)), null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        AttackResult hsj = r.attacks().get(0);
        AttackResult square = r.attacks().get(1);
        System.out.printf(Locale.ROOT, "[hopskipjump] standard, label only, linf 0.1, 1000 queries/example, %d images: success %.3f, "
                + "%d queries, median %s to success, max perturbation %s; %.1f s%n", hsj.examples(), hsj.adversarialSuccessRate(),
                hsj.queriesUsed(), hsj.medianQueriesToSuccess(), hsj.maxPerturbation(), seconds);
        assertThat(hsj.skipped()).isNull();
        assertThat(hsj.adversarialSuccessRate()).isGreaterThanOrEqualTo(0.5);
        assertThat(hsj.maxPerturbation()).isLessThanOrEqualTo(0.1 + 1e-5);
        assertThat(hsj.queriesUsed()).isLessThanOrEqualTo(1000L * 30);
        assertThat(square.skipped()).contains("score-based").contains("exposure label");
        assertThat(square.adversarialSuccessRate()).isNull();
        assertThat(r.maxAdversarialSuccessRate()).isEqualTo(hsj.adversarialSuccessRate());
        AdversarialTestRunStatus status = new AdversarialTestRunStatus();
        r.fill(status);
        assertThat(status.attacks.get(1).skipped()).isEqualTo(square.skipped());
        assertThat(status.attacks.get(1).adversarialSuccessRate()).isNull();
    }

    @Test
    void skipsOnlyWhatTheExposureMakesMeaningless() {
        AttackPlan square = AttackPlan.of(Serialization.unmarshal("{\"type\": \"square\", \"epsilon\": \"0.1\", \"queryBudget\": 10}",
                io.robustml.crds.model.AttackSpec.class));
        AttackPlan hsj = AttackPlan.of(Serialization.unmarshal("{\"type\": \"hopskipjump\", \"epsilon\": \"0.1\"}",
                io.robustml.crds.model.AttackSpec.class));
        AttackPlan leastLikely = AttackPlan.of(Serialization.unmarshal("{\"type\": \"pgd\", \"epsilon\": \"0.1\", \"targetClass\": \"leastLikely\"}",
                io.robustml.crds.model.AttackSpec.class));
        assertThat(Evaluation.skipReason(square, "scores", 0, false)).isNull();
        assertThat(Evaluation.skipReason(square, "topK", 3, false)).isNull();
        assertThat(Evaluation.skipReason(square, "topK", 1, false)).contains("top 1");
        assertThat(Evaluation.skipReason(square, "label", 0, false)).contains("score-based");
        assertThat(Evaluation.skipReason(hsj, "label", 0, true)).isNull();
        assertThat(Evaluation.skipReason(leastLikely, "label", 0, true)).contains("leastLikely");
        assertThat(Evaluation.skipReason(leastLikely, "scores", 0, true)).isNull();
    }

    @Test
    void transferFromAKnockoffAndFromTheReferenceModelSucceedsOnTheStandardModel() throws Exception {
        Assignment a = assignment("""
                - {type: pgd, epsilon: "0.1"}
                - {type: transfer, epsilon: "0.1", queryBudget: 1000}
                - {type: transfer, epsilon: "0.1", surrogate: reference}
                - {type: noise, epsilon: "0.1"}
                """, 100, "");
        EvaluationReport r = evaluate(a, new LocalTarget(standard, SHAPE), robust);
        AttackResult pgd = r.attacks().get(0);
        AttackResult knockoff = r.attacks().get(1);
        AttackResult reference = r.attacks().get(2);
        AttackResult noise = r.attacks().get(3);
        System.out.printf(Locale.ROOT, "[transfer] standard, linf 0.1, 100 images: white-box pgd %.3f, transfer from a 1000-query "
                + "knockoff %.3f (%d queries), from the robust model %.3f, noise %.3f%n", pgd.adversarialSuccessRate(),
                knockoff.adversarialSuccessRate(), knockoff.queriesUsed(), reference.adversarialSuccessRate(),
                noise.adversarialSuccessRate());
        r.attacks().forEach(x -> System.out.printf(Locale.ROOT, "[transfer]   %s: %.1f s%n", x.name(), x.seconds()));
        assertThat(knockoff.name()).isEqualTo("transfer-linf-0.1");
        assertThat(reference.name()).isEqualTo("transfer-linf-0.1-reference");
        assertThat(knockoff.queriesUsed()).isEqualTo(1000L + 100);
        // Measurable: well above the random baseline at the same budget, below white-box PGD on the model itself.
        assertThat(knockoff.adversarialSuccessRate()).isGreaterThan(0.05).isGreaterThan(2 * noise.adversarialSuccessRate())
                .isLessThanOrEqualTo(pgd.adversarialSuccessRate());
        assertThat(reference.adversarialSuccessRate()).isGreaterThan(2 * noise.adversarialSuccessRate());
        assertThat(knockoff.flaggedQueries()).as("no sidecar, no verdicts: not measured, never 0").isNull();
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void targetedPgdReachesTheTargetAndPerClassFiguresSumToTheOverall() throws Exception {
        Assignment a = assignment("""
                - {type: pgd, epsilon: "0.1"}
                - {type: pgd, epsilon: "0.1", targetClass: bag}
                - {type: fgsm, epsilon: "0.1", targetClass: leastLikely}
                """, 100, "goal: targeted\n  labels: " + LABELS
                + "\n  detector: {methods: [featureSqueezing], featureSqueezing: {targetFalsePositiveRate: \"0.05\"}}");
        EvaluationReport r = evaluate(a, new LocalTarget(standard, SHAPE), null);
        AttackResult random = r.attacks().get(0);
        AttackResult bag = r.attacks().get(1);
        System.out.printf(Locale.ROOT, "[targeted] standard, linf 0.1, 100 images: pgd to a random class %.3f, to bag %.3f, "
                + "fgsm to the least likely %.3f%n", random.adversarialSuccessRate(), bag.adversarialSuccessRate(),
                r.attacks().get(2).adversarialSuccessRate());
        assertThat(bag.name()).isEqualTo("pgd-linf-0.1-to-bag");
        assertThat(random.targeted()).isTrue();
        assertThat(random.adversarialSuccessRate()).isGreaterThan(0.7);
        assertThat(bag.adversarialSuccessRate()).isGreaterThan(0.8);
        // Independently: targeted PGD on these images lands on the target class.
        float[][] x = java.util.Arrays.copyOf(EvaluationData.load(FASHION, 50, 0).test().images(), 50);
        int[] bags = new int[50];
        java.util.Arrays.fill(bags, 8);
        try (NDManager m = standard.newManager()) {
            var adv = Pgd.standard(Constraint.unitRange(Norm.LINF, 0.1f), 20, 0)
                    .attack(standard, m.create(Batches.flatten(x), Batches.shape(50, SHAPE)), m.create(bags), true);
            int[] predicted = new LocalTarget(standard, SHAPE).classify(Batches.rows(adv.toFloatArray(), 50, 784)).predictions();
            assertThat(java.util.Arrays.stream(predicted).filter(p -> p == 8).count()).isGreaterThan(40);
        }
        for (AttackResult attack : r.attacks()) {
            assertThat(attack.perClass()).hasSize(10);
            assertThat(attack.perClass().stream().mapToInt(ClassResult::examples).sum()).isEqualTo(attack.examples());
            double robustCorrect = attack.perClass().stream().mapToDouble(c -> c.robustAccuracy() * c.examples()).sum();
            assertThat(robustCorrect / attack.examples()).isCloseTo(attack.robustAccuracy(), org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(bag.perClass().get(8).className()).isEqualTo("bag");
        assertThat(bag.perClass().get(8).adversarialSuccessRate()).as("bags have nowhere to go").isNull();
        assertThat(r.cleanPerClass().stream().mapToInt(CleanClassResult::examples).sum()).isEqualTo(100);
        double clean = r.cleanPerClass().stream().mapToDouble(c -> c.cleanAccuracy() * c.examples()).sum() / 100;
        assertThat(clean).isCloseTo(r.cleanAccuracy(), org.assertj.core.data.Offset.offset(1e-9));
        // Calibrated first on 1,000 pool images nothing else sends (the attacker's pool here is empty), half each.
        assertThat(r.calibration().featureSqueezing().calibrationSamples()).isEqualTo(500);
        assertThat(r.calibration().featureSqueezing().heldOutSamples()).isEqualTo(500);
        AdversarialTestRunStatus status = new AdversarialTestRunStatus();
        r.fill(status);
        assertThat(status.attacks.get(1).perClass()).hasSize(10);
        assertThat(status.attacks.get(1).targeted()).isTrue();
        assertThat(status.cleanPerClass.get(0).className()).isEqualTo("t-shirt");
        assertThat(status.calibration.featureSqueezing().targetFalsePositiveRate()).isEqualTo(0.05);
        assertThat(Serialization.asJson(status)).contains("\"class\":\"bag\"");
    }

    @Test
    void aCorpusCraftedOnTheStandardModelBreaksItAndNotTheRobustOne(@TempDir Path dir) throws Exception {
        int n = 200;
        EvaluationData data = EvaluationData.load(FASHION, n, 0);
        float[][] x = data.test().images();
        float[][] adv;
        try (NDManager m = standard.newManager()) {
            adv = Batches.rows(Pgd.standard(Constraint.unitRange(Norm.LINF, 0.1f), 20, 0)
                    .attack(standard, m.create(Batches.flatten(x), Batches.shape(n, SHAPE)), m.create(data.test().labels()), false)
                    .toFloatArray(), n, 784);
        }
        ObjectMapper json = new ObjectMapper();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ObjectNode line = json.createObjectNode();
            float[] row = adv[i];
            var input = line.putArray("input");
            for (float v : row) {
                input.add(v);
            }
            line.putArray("shape").add(1).add(28).add(28);
            line.put("label", data.test().labels()[i]).put("id", "fashion-t10k-" + i);
            text.append(json.writeValueAsString(line)).append('\n');
        }
        Path file = Files.writeString(dir.resolve("corpus.jsonl"), text.toString());
        String sha = io.robustml.fetch.Sha256.of(text.toString().getBytes(StandardCharsets.UTF_8));
        String spec = "corpus: {uri: \"" + file.toUri() + "\", sha256: " + sha + "}";
        Assignment a = assignment("- {type: noise, epsilon: \"0.01\"}", 10, spec);
        EvaluationReport onStandard = evaluate(a, new LocalTarget(standard, SHAPE), null);
        EvaluationReport onRobust = evaluate(a, new LocalTarget(robust, SHAPE), null);
        System.out.printf(Locale.ROOT, "[corpus] %d PGD-20 linf 0.1 examples crafted on standard: success %.3f on standard, "
                + "%.3f on robust%n", n, onStandard.corpus().adversarialSuccessRate(), onRobust.corpus().adversarialSuccessRate());
        assertThat(onStandard.corpus().examples()).isEqualTo(n);
        assertThat(onStandard.corpus().sha256()).isEqualTo(sha);
        assertThat(onStandard.corpus().adversarialSuccessRate()).isGreaterThan(0.8);
        assertThat(onRobust.corpus().adversarialSuccessRate()).isLessThan(onStandard.corpus().adversarialSuccessRate() - 0.3);

        LocalTarget untouched = new LocalTarget(standard, SHAPE);
        Assignment wrong = assignment("- {type: noise, epsilon: \"0.01\"}", 10,
                "corpus: {uri: \"" + file + "\", sha256: " + "0".repeat(64) + "}");
        assertThatThrownBy(() -> evaluate(wrong, untouched, null)).hasMessageContaining("has sha256 " + sha)
                .hasMessageContaining("nothing was measured");
        assertThat(untouched.queries()).isZero();
    }

    @Test
    void theForensicLogBecomesACorpusWithTheLabelsGiven(@TempDir Path dir) throws Exception {
        // Two records as the sidecar writes them (ProxyRoutes.writeForensicRecord), one without a label in the file.
        String record = """
                {"time":"2026-01-01T00:00:00Z","requestId":"%s","row":%d,"client":"10.0.0.1","model":"fashion",\
                "modelRevision":"abc","action":"flag","detectors":["featureSqueezing"],"scores":{"featureSqueezing":1.2},\
                "input":{"shape":[1,2,2],"data":[0.0,0.5,1.0,0.25]}}
                """;
        Path log = Files.createDirectories(dir.resolve("forensic"));
        Files.writeString(log.resolve("flagged-1.jsonl"), record.formatted("r1", 0) + record.formatted("r2", 3));
        Path labels = Files.writeString(dir.resolve("labels.txt"), "# id label\nr1:0 8\n");
        Path out = dir.resolve("corpus.jsonl");
        var stdout = new java.io.ByteArrayOutputStream();
        int code = ForensicToCorpus.run(new String[] {"--log", log.toString(), "--labels", labels.toString(), "--out", out.toString()},
                new java.io.PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        Corpus c = Corpus.load(out.toString(), io.robustml.fetch.Sha256.of(Files.readAllBytes(out)));
        assertThat(c.lines()).hasSize(1);
        assertThat(c.lines().get(0).id()).isEqualTo("r1:0");
        assertThat(c.lines().get(0).label()).isEqualTo(8);
        assertThat(c.lines().get(0).input()).containsExactly(0f, 0.5f, 1f, 0.25f);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("1 records without a label").contains("sha256 " + c.sha256());
        assertThat(ForensicToCorpus.run(new String[] {"--log", log.toString(), "--out", out.toString()}, System.out,
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()))).as("no ground truth given").isEqualTo(2);
    }

    @Test
    void calibratesTheSqueezingThresholdToTheTargetRateOnHeldOutImages() throws Exception {
        float[][] images = EvaluationData.load(FASHION, 10_000, 0).test().images();
        Target target = new LocalTarget(standard, SHAPE);
        long t0 = System.nanoTime();
        FeatureSqueezingCalibration c = SqueezingCalibration.run(target, images, new io.robustml.tester.attack.Geometry(1, 28, 28),
                4, 2, 0.05, 500);
        System.out.printf(Locale.ROOT, "[calibration] standard, bit depth 4, median 2, target FPR 0.05: threshold %.4f from %d images, "
                + "FPR %.4f on %d held-out images; %.1f s%n", c.threshold(), c.calibrationSamples(), c.measuredFalsePositiveRate(),
                c.heldOutSamples(), (System.nanoTime() - t0) / 1e9);
        assertThat(c.calibrationSamples()).isEqualTo(5000);
        assertThat(c.heldOutSamples()).isEqualTo(5000);
        assertThat(c.measuredFalsePositiveRate()).isBetween(0.04, 0.06);
        assertThat(c.threshold()).isGreaterThan(0);
        FeatureSqueezingCalibration robustThreshold = SqueezingCalibration.run(new LocalTarget(robust, SHAPE),
                java.util.Arrays.copyOf(images, 2000), new io.robustml.tester.attack.Geometry(1, 28, 28), 4, 2, 0.05, 500);
        System.out.printf(Locale.ROOT, "[calibration] robust: threshold %.4f (standard %.4f)%n", robustThreshold.threshold(), c.threshold());
        assertThat(robustThreshold.threshold()).as("a revision's own threshold").isNotEqualTo(c.threshold());
    }

    /**
     * Query similarity's match threshold from the clean images as a benign stream: the held-out rate stays
     * within a point of the target, and a Square-style near-copy (one 5×5 patch changed) is still flagged.
     */
    @Test
    void calibratesTheMatchThresholdToTheTargetRateOnHeldOutImagesAndStillFlagsNearCopies() throws Exception {
        float[][] images = EvaluationData.load(FASHION, 10_000, 0).test().images();
        long t0 = System.nanoTime();
        QuerySimilarityCalibration c = SimilarityCalibration.run(images, 25, 25, 0.01);
        System.out.printf(Locale.ROOT, "[calibration] query similarity, window 25, quantization 25, target FPR 0.01: match "
                + "threshold %d from %d images, FPR %.4f on %d held-out images (sidecar default 20 flags %.4f); %.1f s%n",
                c.matchThreshold(), c.calibrationSamples(), c.measuredFalsePositiveRate(), c.heldOutSamples(),
                SimilarityCalibration.flaggedFraction(SimilarityCalibration.matches(images, 25, 25), 20), (System.nanoTime() - t0) / 1e9);
        assertThat(c.calibrationSamples()).isEqualTo(5000);
        assertThat(c.measuredFalsePositiveRate()).isLessThanOrEqualTo(0.02);
        assertThat(c.matchThreshold()).isBetween(1, 50);
        // The threshold is the smallest that meets the target on the calibration half.
        int[] all = SimilarityCalibration.matches(images, 25, 25);
        int[] even = java.util.stream.IntStream.range(0, all.length).filter(i -> i % 2 == 0).map(i -> all[i]).toArray();
        assertThat(SimilarityCalibration.flaggedFraction(even, c.matchThreshold())).isLessThanOrEqualTo(0.01);
        if (c.matchThreshold() > 1) {
            assertThat(SimilarityCalibration.flaggedFraction(even, c.matchThreshold() - 1)).isGreaterThan(0.01);
        }
        java.util.Random random = new java.util.Random(3);
        int flagged = 0;
        for (int k = 0; k < 100; k++) {
            float[] x = images[k];
            float[] near = x.clone();
            int r0 = random.nextInt(24);
            int c0 = random.nextInt(24);
            for (int r = r0; r < r0 + 5; r++) {
                for (int col = c0; col < c0 + 5; col++) {
                    near[r * 28 + col] = random.nextBoolean() ? 1f : 0f;
                }
            }
            int m = SimilarityCalibration.matches(new float[][] {x, near}, 25, 25)[1];
            flagged += m >= c.matchThreshold() ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "[calibration] near-copies (one 5x5 patch changed) flagged at threshold %d: %d of 100%n",
                c.matchThreshold(), flagged);
        assertThat(flagged).isGreaterThanOrEqualTo(90);

        // Through an evaluation: the run's status carries it, next to the squeezing calibration's place.
        Assignment a = assignment("- {type: noise, epsilon: \"0.1\"}", 200,
                "detector: {methods: [querySimilarity], querySimilarity: {targetFalsePositiveRate: \"0.05\"}}");
        assertThat(a.similarity().targetFalsePositiveRate()).isEqualTo(0.05);
        AdversarialTestRunStatus status = new AdversarialTestRunStatus();
        evaluate(a, new LocalTarget(standard, SHAPE), null).fill(status);
        assertThat(status.calibration.featureSqueezing()).isNull();
        assertThat(status.calibration.querySimilarity().calibrationSamples()).isEqualTo(100);
        assertThat(status.calibration.querySimilarity().targetFalsePositiveRate()).isEqualTo(0.05);
        assertThat(status.calibration.querySimilarity().matchThreshold()).isBetween(1, 50);
    }

    /**
     * model.input.range bounds every attack: with the same float images, a wider range lets FGM's one L2 step go
     * its whole length; data outside the range are refused; 8-bit pixels map onto it.
     */
    @Test
    void attacksStayInsideTheModelsInputRangeAndTheDataMustLieInIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path npz = dir.resolve("floats.npz");
        Process p = new ProcessBuilder(Path.of(System.getProperty("user.home"), ".cache/robustml/venv/bin/python").toString(), "-c", """
                import gzip, sys, numpy as np
                x = np.frombuffer(gzip.open(sys.argv[1] + '/t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
                y = np.frombuffer(gzip.open(sys.argv[1] + '/t10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
                np.savez_compressed(sys.argv[2], x=(x[:200] / 255.0).astype(np.float32), y=y[:200])
                """, FASHION, npz.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) && p.exitValue() == 0).as(out).isTrue();
        String fgm = "- {type: fgsm, norm: l2, epsilon: \"2\"}";
        EvaluationReport unit = evaluate(assignment(fgm, 50, "").withDataset(npz.toString()), new LocalTarget(standard, SHAPE), null);
        EvaluationReport wide = evaluate(assignment(fgm, 50, "input: {shape: [1, 28, 28], range: {min: \"-1\", max: \"2\"}}")
                .withDataset(npz.toString()), new LocalTarget(standard, SHAPE), null);
        System.out.printf(Locale.ROOT, "[range] fgm l2 2 on 50 images: mean perturbation %.4f in [0, 1], %.4f in [-1, 2]%n",
                unit.attacks().get(0).meanPerturbation(), wide.attacks().get(0).meanPerturbation());
        assertThat(wide.attacks().get(0).meanPerturbation()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(unit.attacks().get(0).meanPerturbation()).as("clipped at 0 and 1").isLessThan(1.9);
        Assignment narrow = assignment(fgm, 50, "input: {shape: [1, 28, 28], range: {min: \"0\", max: \"0.5\"}}")
                .withDataset(npz.toString());
        assertThatThrownBy(() -> evaluate(narrow, new LocalTarget(standard, SHAPE), null))
                .hasMessageContaining("outside model.input.range [0.0, 0.5]");
        EvaluationData pixels = EvaluationData.load(FASHION, 20, 0).in(new Assignment.InputRange(0, 255));
        assertThat(pixels.test().images()[0]).contains(0f, 255f);
        assertThat(EvaluationData.load(npz.toString(), 20, 0, java.util.Map.of(), SHAPE).in(new Assignment.InputRange(0, 255)).test().images()[0])
                .as("floats are the model's inputs as they are").doesNotContain(255f);
    }

    static EvaluationReport evaluate(Assignment a, Target target, WhiteBoxModel surrogate) throws Exception {
        EvaluationData data = EvaluationData.load(a.datasetUri(), a.samples(), 2000, java.util.Map.of(), SHAPE).in(a.inputRange());
        boolean whiteBox = a.attacks().stream().anyMatch(AttackPlan::whiteBox);
        return new Evaluation(a, new Settings(100, 0, 0, 0.3f, null, 30), target, whiteBox ? standard : null, surrogate, SHAPE, data,
                (done, total, summary) -> { }).run();
    }

    static Assignment assignment(String attacks, int samples, String extra) {
        String yaml = """
                apiVersion: robustml.io/v1
                kind: AdversarialTestRun
                metadata: {name: r}
                spec:
                  target: {model: m, revision: abc, endpoint: "http://x", modelUri: /m.pt}
                  attacks:
                %s
                  dataset: {uri: %s, samples: %d}
                  %s
                """.formatted(attacks.indent(4), FASHION, samples, extra);
        return Assignment.of(Serialization.unmarshal(yaml, AdversarialTestRun.class).getSpec());
    }
}
