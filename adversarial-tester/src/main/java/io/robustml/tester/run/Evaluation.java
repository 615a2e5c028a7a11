package io.robustml.tester.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.crds.model.AttackSpec;
import io.robustml.crds.run.AdversarialTestRunStatus.AttackResult;
import io.robustml.crds.run.AdversarialTestRunStatus.Calibration;
import io.robustml.crds.run.AdversarialTestRunStatus.CertificationResult;
import io.robustml.crds.run.AdversarialTestRunStatus.ClassResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CleanClassResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CorpusResult;
import io.robustml.crds.run.AdversarialTestRunStatus.DetectorMetrics;
import io.robustml.crds.run.AdversarialTestRunStatus.FeatureSqueezingCalibration;
import io.robustml.crds.run.AdversarialTestRunStatus.LatencyMetrics;
import io.robustml.crds.run.AdversarialTestRunStatus.QuerySimilarityCalibration;
import io.robustml.tester.attack.AdaptivePgd;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Differentiable;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.KnockoffExtraction;
import io.robustml.tester.attack.Pgd;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.Batches;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a suite against a target, batch by batch: clean predictions, then every evasion attack on the
 * same batch, then model extraction, then the latency probe. White-box examples are computed on the
 * local copy of the model and then sent to the target like everything else, so the target's own
 * answers decide success and the sidecar's verdicts are seen.
 */
public final class Evaluation {
    private final Assignment assignment;
    private final Settings settings;
    /** The target as the attacks see it (a tabular input's columns scaled to [0, 1]), and as clients do. */
    private final Target target;
    private final Target rawTarget;
    private final WhiteBoxModel whiteBox;
    /** The white-box model as the attacks see it. */
    private final Differentiable gradients;
    /** One example's shape as the data and the attacks have it (channels first for an image). */
    private final long[] exampleShape;
    /** One example's shape as the model takes it. */
    private final long[] modelShape;
    private final Geometry geometry;
    private final EvaluationData data;
    private final Progress progress;
    private final Differentiable referenceSurrogate;
    /** How the attacks see the model's inputs (tabular columns, normalisation, layout). */
    private final InputViews views;
    private long targetNanos;
    private long whiteBoxNanos;

    /**
     * @param whiteBox the model file for white-box attacks; null when the suite has none
     */
    public Evaluation(Assignment assignment, Settings settings, Target target, WhiteBoxModel whiteBox, long[] exampleShape,
            EvaluationData data, Progress progress) {
        this(assignment, settings, target, whiteBox, null, exampleShape, data, progress);
    }

    /**
     * @param referenceSurrogate the model file transfer attacks with {@code surrogate: reference} run on;
     *                           null when the suite has none
     */
    public Evaluation(Assignment assignment, Settings settings, Target target, WhiteBoxModel whiteBox,
            Differentiable referenceSurrogate, long[] exampleShape, EvaluationData data, Progress progress) {
        this.assignment = assignment;
        this.settings = settings;
        this.whiteBox = whiteBox;
        this.modelShape = exampleShape.clone();
        // The data and the attacks are channels first; a channels-last model gets each example transposed.
        this.exampleShape = assignment.attackShape(exampleShape);
        // Only Square Attack's windows need an image's geometry; a tabular row has none.
        this.geometry = data.test().rows() >= 2 && data.test().cols() >= 2
                ? new Geometry(data.test().channels(), data.test().rows(), data.test().cols()) : null;
        this.progress = progress;
        this.rawTarget = target;
        this.views = InputViews.of(assignment, target, whiteBox, referenceSurrogate, this.exampleShape, data);
        this.target = views.target();
        this.gradients = views.gradients();
        this.referenceSurrogate = views.surrogate();
        this.data = views.data();
        if (whiteBox == null && assignment.needsModelFile()) {
            throw new IllegalArgumentException("white-box attacks and certification need the model file");
        }
        if (referenceSurrogate == null && assignment.attacks().stream().anyMatch(AttackPlan::reference)) {
            throw new IllegalArgumentException("a transfer attack with surrogate: reference needs the surrogate model file "
                    + "(--surrogate-model FILE or ROBUSTML_TESTER_SURROGATE_MODEL)");
        }
    }

    /**
     * Why an attack cannot measure robustness against this endpoint, or null when it can: a score-based
     * attack against an endpoint that shows no scores would report the exposure, not the model. Pure.
     */
    static String skipReason(AttackPlan plan, String exposure, int topK, boolean targeted) {
        if (plan.scoreBased() && "label".equals(exposure)) {
            return plan.type().name().toLowerCase(Locale.ROOT) + " is score-based and the endpoint shows only the label "
                    + "(outputHardening.exposure label): use hopskipjump (decision-based) or transfer";
        }
        if (plan.scoreBased() && "topK".equals(exposure) && topK < 2) {
            return plan.type().name().toLowerCase(Locale.ROOT) + " needs the scores of at least two classes and the endpoint "
                    + "shows the top 1 only (outputHardening.exposure topK, topK 1): use hopskipjump (decision-based) or transfer";
        }
        if (targeted && plan.evasion() && AttackPlan.LEAST_LIKELY.equals(plan.targetClass()) && !"scores".equals(exposure)) {
            return "targetClass leastLikely needs every class's score and the endpoint shows " + exposure
                    + " (outputHardening.exposure): name a class or use random";
        }
        return null;
    }

    public EvaluationReport run() throws IOException {
        long started = System.nanoTime();
        // The corpus first: a wrong digest fails the run before anything is measured.
        Corpus corpus = assignment.corpus() == null ? null : Corpus.load(assignment.corpus().uri(), assignment.corpus().sha256());
        int n = Math.min(assignment.samples(), data.test().count());
        float[][] images = data.test().images();
        int[] labels = data.test().labels();
        int[] cleanPredictions = new int[n];
        Map<AttackPlan, String> skipped = new LinkedHashMap<>();
        Map<AttackPlan, AttackTally> tallies = new LinkedHashMap<>();
        Map<AttackPlan, Long> attackNanos = new LinkedHashMap<>();
        for (AttackPlan plan : assignment.attacks()) {
            String reason = skipReason(plan, assignment.exposure(), assignment.topK(), assignment.targeted());
            if (reason != null) {
                skipped.put(plan, reason);
            } else if (plan.evasion()) {
                tallies.put(plan, new AttackTally(plan));
            }
            attackNanos.put(plan, 0L);
        }
        Map<AttackPlan, KnockoffExtraction.Knockoff> knockoffs = new LinkedHashMap<>();
        try {
            for (AttackPlan plan : tallies.keySet()) {
                if (plan.type() == AttackSpec.AttackType.TRANSFER && !plan.reference()) {
                    long t0 = System.nanoTime();
                    knockoffs.put(plan, KnockoffExtraction.withBudget(plan.queryBudget(), settings.seed()).steal(target, attackerPool()));
                    attackNanos.merge(plan, System.nanoTime() - t0, Long::sum);
                }
            }
            return measure(started, n, images, labels, cleanPredictions, skipped, tallies, attackNanos, knockoffs, corpus);
        } finally {
            knockoffs.values().forEach(KnockoffExtraction.Knockoff::close);
        }
    }

    private EvaluationReport measure(long started, int n, float[][] images, int[] labels, int[] cleanPredictions,
            Map<AttackPlan, String> skipped, Map<AttackPlan, AttackTally> tallies, Map<AttackPlan, Long> attackNanos,
            Map<AttackPlan, KnockoffExtraction.Knockoff> knockoffs, Corpus corpus) throws IOException {
        // Calibrate first, on clean images of the dataset's pool that nothing else sends, and have the sidecar judge
        // every later query of the analysis at that threshold: the one this revision will serve with once promoted
        // (a first release has none yet). Without such images, it is calibrated last on the evaluation images.
        Double fpr = assignment.squeezing().targetFalsePositiveRate();
        float[][] held = calibrationImages();
        FeatureSqueezingCalibration calibration = null;
        if (fpr != null && held.length >= 2) {
            calibration = SqueezingCalibration.run(target, held, geometry, assignment.squeezing().bitDepth(),
                    assignment.squeezing().medianWindow(), fpr, settings.batchSize(),
                    assignment.inputRange().min(), assignment.inputRange().max());
            target.judgeSqueezingAt(calibration.threshold());
        }
        int cleanCorrect = 0;
        int flaggedClean = 0;
        boolean verdictsVisible = true;
        SplittableRandom targets = new SplittableRandom(settings.seed());
        ClassCounts cleanPerClass = new ClassCounts();
        int classes = assignment.labels().isEmpty() ? 0 : assignment.labels().size();

        for (int start = 0; start < n; start += settings.batchSize()) {
            int end = Math.min(n, start + settings.batchSize());
            float[][] x = Arrays.copyOfRange(images, start, end);
            int[] y = Arrays.copyOfRange(labels, start, end);
            Target.Answer clean = classify(x);
            int batchClasses = Math.max(classes, clean.scores()[0].length);
            int[] randomGoals = assignment.targeted() ? TargetClasses.random(y, batchClasses, targets) : y;
            int[] cleanPred = clean.predictions();
            System.arraycopy(cleanPred, 0, cleanPredictions, start, cleanPred.length);
            for (int i = 0; i < y.length; i++) {
                cleanCorrect += cleanPred[i] == y[i] ? 1 : 0;
                flaggedClean += clean.flagged() != null && clean.flagged()[i] ? 1 : 0;
                cleanPerClass.add(y[i], true, false, cleanPred[i] == y[i]);
            }
            verdictsVisible &= clean.flagged() != null;
            for (AttackTally tally : tallies.values()) {
                long t0 = System.nanoTime();
                int[] goals = assignment.targeted() ? TargetClasses.goals(tally.plan.targetClass(), y, randomGoals, clean.scores(),
                        assignment.labels(), batchClasses) : y;
                attack(tally, x, y, goals, cleanPred, start, knockoffs.get(tally.plan));
                attackNanos.merge(tally.plan, System.nanoTime() - t0, Long::sum);
            }
            progress.update(end, n, summary(end, tallies));
        }

        List<AttackResult> reports = new ArrayList<>();
        int successful = 0;
        int flaggedAdversarial = 0;
        for (AttackPlan plan : assignment.attacks()) {
            if (skipped.containsKey(plan)) {
                reports.add(EvaluationReport.skipped(plan, skipped.get(plan)));
            } else if (plan.evasion()) {
                AttackTally t = tallies.get(plan);
                reports.add(report(t, attackNanos.get(plan), knockoffs.get(plan)));
                successful += t.successes;
                flaggedAdversarial += t.flaggedSuccesses;
                verdictsVisible &= t.verdictsVisible;
            } else {
                long t0 = System.nanoTime();
                reports.add(extraction(plan, Arrays.copyOf(images, n), cleanPredictions, t0));
            }
        }
        CorpusResult corpusReport = corpus == null ? null
                : corpus.replay(rawTarget, modelShape, settings.batchSize()); // recorded inputs, in the model's units and layout
        if (calibration == null && fpr != null && n >= 2) {
            calibration = SqueezingCalibration.run(target, Arrays.copyOf(images, n), geometry, assignment.squeezing().bitDepth(),
                    assignment.squeezing().medianWindow(), fpr, settings.batchSize(),
                    assignment.inputRange().min(), assignment.inputRange().max());
        }
        QuerySimilarityCalibration similarityCalibration = null;
        Double similarityFpr = assignment.similarity().targetFalsePositiveRate();
        if (similarityFpr != null && n >= 2) {
            // As the sidecar fingerprints them: scaled to [0, 1] by the input's range (tabular rows already are).
            var range = new io.robustml.oip.detector.DetectorConfig.Column(assignment.inputRange().min(), assignment.inputRange().max());
            float[][] unit = new float[n][];
            for (int i = 0; i < n; i++) {
                unit[i] = assignment.features() != null ? images[i] : io.robustml.oip.detector.DetectorConfig.scaled(range, images[i]);
            }
            similarityCalibration = SimilarityCalibration.run(unit, assignment.similarity().windowSize(),
                    assignment.similarity().quantization(), similarityFpr);
        }
        CertificationResult certification = certify(images, labels, n);
        LatencyMetrics latency = probeLatency(images, n);
        DetectorMetrics detection = null;
        if (verdictsVisible) {
            int flagged = flaggedClean + flaggedAdversarial;
            detection = new DetectorMetrics(flagged == 0 ? null : (double) flaggedAdversarial / flagged,
                    successful == 0 ? null : (double) flaggedAdversarial / successful, (double) flaggedClean / n, flaggedClean,
                    flaggedAdversarial, successful);
        }
        List<CleanClassResult> cleanClasses = cleanPerClass.rows().stream()
                .map(r -> new CleanClassResult(TargetClasses.name(r.label(), assignment.labels()), r.examples(), r.accuracy()))
                .toList();
        double total = (System.nanoTime() - started) / 1e9;
        return new EvaluationReport(assignment.model(), assignment.revision(), assignment.endpoint(), n,
                n == 0 ? 0 : (double) cleanCorrect / n, detection, latency, reports,
                new EvaluationReport.Timing(total, targetNanos / 1e9, whiteBoxNanos / 1e9), cleanClasses,
                GradientMasking.warnings(reports, outcomes(tallies)), corpusReport,
                calibration == null && similarityCalibration == null ? null : new Calibration(calibration, similarityCalibration),
                certification);
    }

    /**
     * Randomized smoothing on the local copy of the model file (the smoothed model is a property of the
     * model, and n draws per example through the sidecar would be its rate limit's business, not the model's).
     */
    private CertificationResult certify(float[][] images, int[] labels, int n) throws IOException {
        if (assignment.certification() == null) {
            return null;
        }
        Target model = views.ofModel().apply(new LocalTarget(whiteBox, modelShape));
        int classes = assignment.labels().isEmpty() ? model.classify(new float[][] {images[0]}).scores()[0].length
                : assignment.labels().size();
        long t0 = System.nanoTime();
        try {
            return Certification.run(assignment.certification(), batch -> model.classify(batch).predictions(),
                    Arrays.copyOf(images, n), labels, classes, assignment.labels(), CERTIFY_BATCH, settings.seed());
        } finally {
            whiteBoxNanos += System.nanoTime() - t0;
        }
    }

    /** Noisy copies per forward pass when certifying. */
    private static final int CERTIFY_BATCH = 500;

    /** Each evasion attack's broken examples by report name, for the paired masking checks. */
    private static Map<String, java.util.BitSet> outcomes(Map<AttackPlan, AttackTally> tallies) {
        Map<String, java.util.BitSet> outcomes = new LinkedHashMap<>();
        tallies.forEach((plan, tally) -> outcomes.put(plan.name(), tally.succeeded));
        return outcomes;
    }

    private void attack(AttackTally tally, float[][] x, int[] y, int[] goals, int[] cleanPred, int offset,
            Differentiable knockoff) throws IOException {
        boolean targeted = assignment.targeted();
        EvasionAttacks.Outcome o = EvasionAttacks.of(tally.plan, constraint(tally.plan), bench)
                .run(new EvasionAttacks.Batch(x, goals, targeted, cleanPred, offset, knockoff));
        tally.add(y, goals, targeted, cleanPred, o.predictions(), o.flagged(), x, o.adversarial(), o.queries());
        if (o.firstFlaggedQuery() != null) {
            tally.addFirstFlags(o.firstFlaggedQuery());
        }
        tally.flaggedReplays += o.flaggedReplays();
    }

    /** The plan's budget in the attacks' space: a tabular input's columns scaled to [0, 1], or the input range. */
    private Constraint constraint(AttackPlan plan) {
        return assignment.features() != null
                ? new Constraint(plan.norm(), plan.epsilon(), 0f, 1f, assignment.features())
                : new Constraint(plan.norm(), plan.epsilon(), assignment.inputRange().min(), assignment.inputRange().max());
    }

    /** What the attacks use of this evaluation, timed into its target and white-box shares. */
    private final EvasionAttacks.Bench bench = new EvasionAttacks.Bench() {
        @Override
        public Target.Answer classify(float[][] x) throws IOException {
            return Evaluation.this.classify(x);
        }

        @Override
        public Target target() {
            return target;
        }

        @Override
        public void charge(long targetNanos) {
            Evaluation.this.targetNanos += targetNanos;
        }

        @Override
        public float[][] whiteBox(AttackPlan plan, Differentiable model, Constraint constraint, float[][] x, int[] goals,
                boolean targeted) {
            return Evaluation.this.whiteBox(plan, model, constraint, x, goals, targeted);
        }

        @Override
        public Differentiable gradients() {
            return gradients;
        }

        @Override
        public Differentiable referenceSurrogate() {
            return referenceSurrogate;
        }

        @Override
        public Settings settings() {
            return settings;
        }

        @Override
        public Geometry geometry() {
            return geometry;
        }
    };

    private float[][] whiteBox(AttackPlan plan, Differentiable model, Constraint constraint, float[][] x, int[] goals,
            boolean targeted) {
        long t0 = System.nanoTime();
        try (NDManager m = model.newManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) settings.seed());
            NDArray input = m.create(Batches.flatten(x), Batches.shape(x.length, exampleShape));
            NDArray adv;
            if (plan.adaptive()) {
                adv = AdaptivePgd.standard(constraint, plan.steps(), assignment.squeezing().bitDepth(),
                        assignment.squeezing().medianWindow()).attack(whiteBox, input, m.create(goals), targeted);
            } else {
                Pgd pgd = plan.type() == AttackSpec.AttackType.FGSM ? Pgd.fgsm(constraint)
                        : plan.type() == AttackSpec.AttackType.TRANSFER ? Pgd.transfer(constraint, plan.steps(), plan.restarts())
                        : Pgd.standard(constraint, plan.steps(), plan.restarts());
                adv = pgd.attack(model, input, m.create(goals), targeted);
            }
            return Batches.rows(adv.toFloatArray(), x.length, x[0].length);
        } finally {
            whiteBoxNanos += System.nanoTime() - t0;
        }
    }

    /** Images the model-stealing attacks query: the first of the pool (TesterMain sizes it). */
    private float[][] attackerPool() {
        float[][] pool = data.pool() == null ? new float[0][] : data.pool().images();
        return Arrays.copyOf(pool, Math.min(pool.length, stealingPool(assignment)));
    }

    /** The clean pool images after the attacker's (up to calibrationImages): calibration's own, sent by nothing else. */
    private float[][] calibrationImages() {
        float[][] pool = data.pool() == null ? new float[0][] : data.pool().images();
        int from = Math.min(pool.length, stealingPool(assignment));
        return Arrays.copyOfRange(pool, from, Math.min(pool.length, from + calibrationImages(assignment, exampleShape)));
    }

    /**
     * Images a calibration uses (half to set the threshold, half to check it): 1,000 where they fit in
     * 64 MiB (a squeezing score's tail is heavy: on 50 images a 5 % quantile is off by several points), and
     * never fewer than the evaluation's.
     */
    static int calibrationImages(Assignment assignment, long[] exampleShape) {
        long values = java.util.Arrays.stream(exampleShape).reduce(1, (a, b) -> a * b);
        int fit = (int) Math.min(1000, (64L << 20) / (4 * Math.max(1, values)));
        return Math.max(assignment.samples(), fit);
    }

    /** Pool images the model-stealing attacks need: extraction, and transfer from a knockoff. */
    static int stealingPool(Assignment assignment) {
        return assignment.attacks().stream()
                .filter(p -> !p.evasion() || (p.type() == AttackSpec.AttackType.TRANSFER && !p.reference()))
                .mapToInt(AttackPlan::queryBudget).max().orElse(0);
    }

    /** Pool images to load: the attacker's, then calibration's when it is asked for. */
    static int poolSize(Assignment assignment, long[] exampleShape) {
        return stealingPool(assignment)
                + (assignment.squeezing().targetFalsePositiveRate() != null ? calibrationImages(assignment, exampleShape) : 0);
    }

    private AttackResult extraction(AttackPlan plan, float[][] heldOut, int[] targetOnHeldOut, long t0)
            throws IOException {
        KnockoffExtraction extraction = KnockoffExtraction.withBudget(plan.queryBudget(), settings.seed());
        boolean tabular = assignment.features() != null;
        KnockoffExtraction.Result r = plan.synthetic()
                ? extraction.jbda(target, attackerPool(), heldOut, targetOnHeldOut, tabular ? 0f : assignment.inputRange().min(),
                        tabular ? 1f : assignment.inputRange().max())
                : extraction.run(target, attackerPool(), heldOut, targetOnHeldOut);
        return new AttackResult(plan.name(), "extraction", null, null, null, null, plan.queryBudget(),
                heldOut.length, null, null, null, null, (long) r.queriesUsed(), null, null, r.agreement(),
                r.verdictsVisible() && r.firstFlaggedQuery() > 0 ? r.firstFlaggedQuery() : null, (System.nanoTime() - t0) / 1e9,
                null, null, null, null);
    }

    private AttackResult report(AttackTally t, long nanos, KnockoffExtraction.Knockoff knockoff) {
        AttackPlan p = t.plan;
        AttackSpec.AttackType type = p.type();
        boolean pgdLike = type == AttackSpec.AttackType.PGD || type == AttackSpec.AttackType.TRANSFER;
        boolean perExampleQueries = type == AttackSpec.AttackType.SQUARE || type == AttackSpec.AttackType.HOPSKIPJUMP;
        boolean transfer = type == AttackSpec.AttackType.TRANSFER;
        Long queries = perExampleQueries || type == AttackSpec.AttackType.NOISE ? (Long) t.queries
                : transfer ? t.queries + (knockoff == null ? 0 : knockoff.queriesUsed()) : null;
        Integer firstFlag = perExampleQueries ? t.medianQueriesToFirstFlag()
                : knockoff != null && knockoff.verdictsVisible() && knockoff.firstFlaggedQuery() > 0 ? knockoff.firstFlaggedQuery() : null;
        List<ClassResult> perClass = t.perClass.rows().stream()
                .map(r -> new ClassResult(TargetClasses.name(r.label(), assignment.labels()), r.examples(),
                        r.successRate(), r.accuracy()))
                .toList();
        return new AttackResult(p.name(), type.name().toLowerCase(Locale.ROOT),
                p.norm().name().toLowerCase(Locale.ROOT), EvaluationReport.epsilon(p.epsilon()), pgdLike ? p.steps() : null,
                pgdLike ? p.restarts() : null,
                perExampleQueries || (transfer && !p.reference()) ? p.queryBudget() : null, t.examples, t.successRate(),
                t.examples == 0 ? 0 : (double) t.robustCorrect / t.examples,
                t.successes == 0 ? null : t.perturbationSum / t.successes, t.successes == 0 ? null : t.perturbationMax,
                queries, perExampleQueries ? t.medianQueriesToSuccess() : null,
                t.verdictsVisible && t.successes > 0 ? (double) t.flaggedSuccesses / t.successes : null, null,
                firstFlag, nanos / 1e9, null, assignment.targeted() ? Boolean.TRUE : null, perClass,
                transfer && t.verdictsVisible ? (Long) t.flaggedReplays : null);
    }

    /** Single-example requests, as a client sends them: what the percentiles mean. */
    private LatencyMetrics probeLatency(float[][] images, int n) throws IOException {
        int probes = Math.min(settings.latencyProbes(), n);
        if (probes == 0) {
            return null;
        }
        long[] nanos = new long[probes];
        for (int i = 0; i < probes; i++) {
            long t0 = System.nanoTime();
            target.classify(new float[][] {images[i]});
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return new LatencyMetrics(nanos[rank(50, probes)] / 1e6, nanos[rank(99, probes)] / 1e6, probes);
    }

    private static int rank(double percentile, int count) {
        return Math.max(0, Math.min(count - 1, (int) Math.ceil(percentile / 100 * count) - 1));
    }

    private Target.Answer classify(float[][] x) throws IOException {
        long t0 = System.nanoTime();
        try {
            return target.classify(x);
        } finally {
            targetNanos += System.nanoTime() - t0;
        }
    }

    private static String summary(int done, Map<AttackPlan, AttackTally> tallies) {
        StringBuilder s = new StringBuilder(done + " examples");
        tallies.values().forEach(t -> s.append(String.format(Locale.ROOT, "; %s %.3f", t.plan.name(), t.successRate())));
        return s.toString();
    }
}
