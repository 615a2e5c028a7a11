package io.robustml.tester.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.crds.model.AttackSpec;
import io.robustml.tester.attack.AdaptivePgd;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.KnockoffExtraction;
import io.robustml.tester.attack.NoiseAttack;
import io.robustml.tester.attack.Pgd;
import io.robustml.tester.attack.SquareAttack;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.Batches;
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
    private final Target target;
    private final WhiteBoxModel whiteBox;
    private final long[] exampleShape;
    private final Geometry geometry;
    private final EvaluationData data;
    private final Progress progress;
    private long targetNanos;
    private long whiteBoxNanos;

    /**
     * @param whiteBox the model file for white-box attacks; null when the suite has none
     */
    public Evaluation(Assignment assignment, Settings settings, Target target, WhiteBoxModel whiteBox, long[] exampleShape,
            EvaluationData data, Progress progress) {
        this.assignment = assignment;
        this.settings = settings;
        this.target = target;
        this.whiteBox = whiteBox;
        this.exampleShape = exampleShape.clone();
        this.geometry = Geometry.of(data.test().images()[0].length, data.test().rows(), data.test().cols());
        this.data = data;
        this.progress = progress;
        if (whiteBox == null && assignment.attacks().stream().anyMatch(AttackPlan::whiteBox)) {
            throw new IllegalArgumentException("white-box attacks need the model file");
        }
    }

    public EvaluationReport run() throws IOException {
        long started = System.nanoTime();
        int n = Math.min(assignment.samples(), data.test().count());
        float[][] images = data.test().images();
        int[] labels = data.test().labels();
        int[] cleanPredictions = new int[n];
        Map<AttackPlan, AttackTally> tallies = new LinkedHashMap<>();
        Map<AttackPlan, Long> attackNanos = new LinkedHashMap<>();
        for (AttackPlan plan : assignment.attacks()) {
            if (plan.evasion()) {
                tallies.put(plan, new AttackTally(plan));
            }
            attackNanos.put(plan, 0L);
        }
        int cleanCorrect = 0;
        int flaggedClean = 0;
        boolean verdictsVisible = true;
        SplittableRandom targets = new SplittableRandom(settings.seed());

        for (int start = 0; start < n; start += settings.batchSize()) {
            int end = Math.min(n, start + settings.batchSize());
            float[][] x = Arrays.copyOfRange(images, start, end);
            int[] y = Arrays.copyOfRange(labels, start, end);
            Target.Answer clean = classify(x);
            int[] goals = assignment.targeted() ? targetClasses(y, clean.scores()[0].length, targets) : y;
            int[] cleanPred = clean.predictions();
            System.arraycopy(cleanPred, 0, cleanPredictions, start, cleanPred.length);
            for (int i = 0; i < y.length; i++) {
                cleanCorrect += cleanPred[i] == y[i] ? 1 : 0;
                flaggedClean += clean.flagged() != null && clean.flagged()[i] ? 1 : 0;
            }
            verdictsVisible &= clean.flagged() != null;
            for (AttackTally tally : tallies.values()) {
                long t0 = System.nanoTime();
                attack(tally, x, y, goals, cleanPred, start);
                attackNanos.merge(tally.plan, System.nanoTime() - t0, Long::sum);
            }
            progress.update(end, n, summary(end, tallies));
        }

        List<EvaluationReport.AttackReport> reports = new ArrayList<>();
        int successful = 0;
        int flaggedAdversarial = 0;
        for (AttackPlan plan : assignment.attacks()) {
            if (plan.evasion()) {
                AttackTally t = tallies.get(plan);
                reports.add(report(t, attackNanos.get(plan)));
                successful += t.successes;
                flaggedAdversarial += t.flaggedSuccesses;
                verdictsVisible &= t.verdictsVisible;
            } else {
                long t0 = System.nanoTime();
                reports.add(extraction(plan, Arrays.copyOf(images, n), cleanPredictions, t0));
            }
        }
        EvaluationReport.Latency latency = probeLatency(images, n);
        EvaluationReport.Detection detection = null;
        if (verdictsVisible) {
            int flagged = flaggedClean + flaggedAdversarial;
            detection = new EvaluationReport.Detection(flagged == 0 ? null : (double) flaggedAdversarial / flagged,
                    successful == 0 ? null : (double) flaggedAdversarial / successful, (double) flaggedClean / n, flaggedClean,
                    flaggedAdversarial, successful);
        }
        double total = (System.nanoTime() - started) / 1e9;
        return new EvaluationReport(assignment.model(), assignment.revision(), assignment.endpoint(), n,
                n == 0 ? 0 : (double) cleanCorrect / n, detection, latency, reports,
                new EvaluationReport.Timing(total, targetNanos / 1e9, whiteBoxNanos / 1e9));
    }

    private void attack(AttackTally tally, float[][] x, int[] y, int[] goals, int[] cleanPred, int offset) throws IOException {
        AttackPlan plan = tally.plan;
        Constraint constraint = Constraint.unitRange(plan.norm(), plan.epsilon());
        boolean targeted = assignment.targeted();
        switch (plan.type()) {
            case FGSM, PGD -> {
                float[][] adv = whiteBox(plan, constraint, x, goals, targeted);
                constraint.check(x, adv);
                Target.Answer answer = classify(adv);
                tally.add(y, goals, targeted, cleanPred, answer.predictions(), answer.flagged(), x, adv, null);
            }
            case NOISE -> {
                float[][] adv = new NoiseAttack(constraint, settings.seed() + offset).perturb(x);
                Target.Answer answer = classify(adv);
                int[] ones = new int[x.length];
                Arrays.fill(ones, 1);
                tally.add(y, goals, targeted, cleanPred, answer.predictions(), answer.flagged(), x, adv, ones);
            }
            case SQUARE -> {
                long t0 = System.nanoTime();
                SquareAttack.Result r = new SquareAttack(constraint, plan.queryBudget(), settings.squarePInit(),
                        settings.seed() + offset).run(target, x, goals, targeted, geometry);
                targetNanos += System.nanoTime() - t0;
                boolean[] flagged = r.verdictsVisible() ? r.flaggedAny() : null;
                tally.add(y, goals, targeted, cleanPred, r.predictions(), flagged, x, r.adversarial(), r.queries());
                if (flagged != null) {
                    tally.addFirstFlags(r.firstFlaggedQuery());
                }
            }
            default -> throw new IllegalStateException("not an evasion attack: " + plan.type());
        }
    }

    private float[][] whiteBox(AttackPlan plan, Constraint constraint, float[][] x, int[] goals, boolean targeted) {
        long t0 = System.nanoTime();
        try (NDManager m = whiteBox.newManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) settings.seed());
            NDArray input = m.create(Batches.flatten(x), Batches.shape(x.length, exampleShape));
            NDArray adv;
            if (plan.adaptive()) {
                adv = AdaptivePgd.standard(constraint, plan.steps(), assignment.squeezing().bitDepth(),
                        assignment.squeezing().medianWindow()).attack(whiteBox, input, m.create(goals), targeted);
            } else {
                Pgd pgd = plan.type() == AttackSpec.AttackType.FGSM ? Pgd.fgsm(constraint)
                        : Pgd.standard(constraint, plan.steps(), plan.restarts());
                adv = pgd.attack(whiteBox, input, m.create(goals), targeted);
            }
            return Batches.rows(adv.toFloatArray(), x.length, x[0].length);
        } finally {
            whiteBoxNanos += System.nanoTime() - t0;
        }
    }

    private EvaluationReport.AttackReport extraction(AttackPlan plan, float[][] heldOut, int[] targetOnHeldOut, long t0)
            throws IOException {
        KnockoffExtraction.Result r = KnockoffExtraction.withBudget(plan.queryBudget(), settings.seed())
                .run(target, data.pool().images(), heldOut, targetOnHeldOut);
        return new EvaluationReport.AttackReport(plan.name(), "extraction", null, null, null, null, plan.queryBudget(),
                heldOut.length, null, null, null, null, (long) r.queriesUsed(), null, null, r.agreement(),
                r.verdictsVisible() && r.firstFlaggedQuery() > 0 ? r.firstFlaggedQuery() : null, (System.nanoTime() - t0) / 1e9);
    }

    private EvaluationReport.AttackReport report(AttackTally t, long nanos) {
        AttackPlan p = t.plan;
        boolean queryAttack = p.type() == AttackSpec.AttackType.SQUARE || p.type() == AttackSpec.AttackType.NOISE;
        return new EvaluationReport.AttackReport(p.name(), p.type().name().toLowerCase(Locale.ROOT),
                p.norm().name().toLowerCase(Locale.ROOT), p.epsilon(), p.type() == AttackSpec.AttackType.PGD ? p.steps() : null,
                p.type() == AttackSpec.AttackType.PGD ? p.restarts() : null,
                p.type() == AttackSpec.AttackType.SQUARE ? p.queryBudget() : null, t.examples, t.successRate(),
                t.examples == 0 ? 0 : (double) t.robustCorrect / t.examples,
                t.successes == 0 ? null : t.perturbationSum / t.successes, t.successes == 0 ? null : t.perturbationMax,
                queryAttack ? t.queries : null, p.type() == AttackSpec.AttackType.SQUARE ? t.medianQueriesToSuccess() : null,
                t.verdictsVisible && t.successes > 0 ? (double) t.flaggedSuccesses / t.successes : null, null,
                p.type() == AttackSpec.AttackType.SQUARE ? t.medianQueriesToFirstFlag() : null, nanos / 1e9);
    }

    /** Single-example requests, as a client sends them: what the percentiles mean. */
    private EvaluationReport.Latency probeLatency(float[][] images, int n) throws IOException {
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
        return new EvaluationReport.Latency(nanos[rank(50, probes)] / 1e6, nanos[rank(99, probes)] / 1e6, probes);
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

    /** A random class other than the true one, per example (targeted threat models). */
    private static int[] targetClasses(int[] y, int classes, SplittableRandom random) {
        int[] t = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            t[i] = (y[i] + 1 + random.nextInt(classes - 1)) % classes;
        }
        return t;
    }

    private static String summary(int done, Map<AttackPlan, AttackTally> tallies) {
        StringBuilder s = new StringBuilder(done + " examples");
        tallies.values().forEach(t -> s.append(String.format(Locale.ROOT, "; %s %.3f", t.plan.name(), t.successRate())));
        return s.toString();
    }
}
