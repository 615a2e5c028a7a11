package io.robustml.tester.run;

import io.robustml.crds.model.AttackSpec.AttackType;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Differentiable;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.HopSkipJump;
import io.robustml.tester.attack.NoiseAttack;
import io.robustml.tester.attack.SquareAttack;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The suite's evasion attacks behind one sealed interface, each built from its plan by the one registry
 * ({@link #of}): an attack type maps to the class that runs it, and every attack answers a batch with the
 * same {@link Outcome}, which the tally takes as it is.
 */
final class EvasionAttacks {
    private EvasionAttacks() {
    }

    /** What an attack uses of the evaluation: the target as the attacks see it, timed, and the white-box step. */
    interface Bench {
        /** One request's answers, counted as the target's time. */
        Target.Answer classify(float[][] x) throws IOException;

        /** The target itself, for attacks that query it in their own loop; {@link #charge} their time. */
        Target target();

        void charge(long targetNanos);

        /** White-box examples on {@code model} (the revision's own file, a surrogate or a knockoff), timed apart. */
        float[][] whiteBox(AttackPlan plan, Differentiable model, Constraint constraint, float[][] x, int[] goals, boolean targeted);

        Differentiable gradients();

        Differentiable referenceSurrogate();

        Settings settings();

        Geometry geometry();
    }

    /**
     * One batch for an attack: the originals, the goal of each (true labels, or target classes when targeted), the
     * target's clean predictions, the batch's offset in the dataset (seeds differ per batch) and, for transfer from
     * a knockoff, the knockoff.
     */
    record Batch(float[][] x, int[] goals, boolean targeted, int[] cleanPredictions, int offset, Differentiable knockoff) {
    }

    /**
     * What an attack gave on a batch: its examples, the target's predictions for them, whether each was flagged
     * (null when verdicts are not visible), queries per example (null when computed offline), the query of each
     * example's first flag (query attacks; null otherwise) and flagged replays (transfer).
     */
    record Outcome(float[][] adversarial, int[] predictions, boolean[] flagged, int[] queries, int[] firstFlaggedQuery,
            long flaggedReplays) {
    }

    /** An evasion attack, ready to run batch after batch. */
    sealed interface EvasionAttack permits Gradient, DecisionBased, ScoreBased, Noise {
        Outcome run(Batch batch) throws IOException;
    }

    @FunctionalInterface
    private interface Factory {
        EvasionAttack create(AttackPlan plan, Constraint constraint, Bench bench);
    }

    private static final Map<AttackType, Factory> REGISTRY = registry();

    private static Map<AttackType, Factory> registry() {
        Map<AttackType, Factory> r = new EnumMap<>(AttackType.class);
        r.put(AttackType.FGSM, Gradient::new);
        r.put(AttackType.PGD, Gradient::new);
        r.put(AttackType.TRANSFER, Gradient::new);
        r.put(AttackType.HOPSKIPJUMP, DecisionBased::new);
        r.put(AttackType.SQUARE, ScoreBased::new);
        r.put(AttackType.NOISE, Noise::new);
        return r;
    }

    /** The attack of {@code plan}; extraction is no evasion attack (the evaluation runs it apart). */
    static EvasionAttack of(AttackPlan plan, Constraint constraint, Bench bench) {
        Factory factory = REGISTRY.get(plan.type());
        if (factory == null) {
            throw new IllegalArgumentException("not an evasion attack: " + plan.type());
        }
        return factory.create(plan, constraint, bench);
    }

    /**
     * FGSM, PGD and transfer: examples computed on a differentiable model — the revision's own file, or for transfer
     * the reference surrogate or the knockoff — then sent to the target once.
     */
    record Gradient(AttackPlan plan, Constraint constraint, Bench bench) implements EvasionAttack {
        @Override
        public Outcome run(Batch b) throws IOException {
            boolean transfer = plan.type() == AttackType.TRANSFER;
            Differentiable model = !transfer ? bench.gradients() : plan.reference() ? bench.referenceSurrogate() : b.knockoff();
            float[][] adv = bench.whiteBox(plan, model, constraint, b.x(), b.goals(), b.targeted());
            constraint.check(b.x(), adv);
            Target.Answer answer = bench.classify(adv);
            int[] once = null;
            long replays = 0;
            if (transfer) {
                once = new int[b.x().length];
                Arrays.fill(once, 1);
                for (int i = 0; answer.flagged() != null && i < b.x().length; i++) {
                    replays += answer.flagged()[i] ? 1 : 0;
                }
            }
            return new Outcome(adv, answer.predictions(), answer.flagged(), once, null, replays);
        }
    }

    /** HopSkipJump: decision-based, the target's top-1 label only. */
    record DecisionBased(AttackPlan plan, Constraint constraint, Bench bench) implements EvasionAttack {
        @Override
        public Outcome run(Batch b) throws IOException {
            float[][] x = b.x();
            float[][] starts = null;
            if (b.targeted()) {
                // The paper starts a targeted run from an image of the target class: one the target already answers so.
                starts = new float[x.length][];
                for (int i = 0; i < x.length; i++) {
                    for (int j = 0; j < x.length && starts[i] == null; j++) {
                        starts[i] = j != i && b.cleanPredictions()[j] == b.goals()[i] ? x[j] : null;
                    }
                }
            }
            long t0 = System.nanoTime();
            SquareAttack.Result r = new HopSkipJump(constraint, plan.queryBudget(), bench.settings().seed() + b.offset())
                    .run(bench.target(), x, b.goals(), b.targeted(), starts);
            bench.charge(System.nanoTime() - t0);
            return queried(r);
        }
    }

    /** Square Attack: score-based, the target's scores. */
    record ScoreBased(AttackPlan plan, Constraint constraint, Bench bench) implements EvasionAttack {
        @Override
        public Outcome run(Batch b) throws IOException {
            long t0 = System.nanoTime();
            SquareAttack.Result r = new SquareAttack(constraint, plan.queryBudget(), bench.settings().squarePInit(),
                    bench.settings().seed() + b.offset()).run(bench.target(), b.x(), b.goals(), b.targeted(), bench.geometry());
            bench.charge(System.nanoTime() - t0);
            return queried(r);
        }
    }

    /** Random noise within ε: the floor any attack must beat. */
    record Noise(AttackPlan plan, Constraint constraint, Bench bench) implements EvasionAttack {
        @Override
        public Outcome run(Batch b) throws IOException {
            float[][] adv = new NoiseAttack(constraint, bench.settings().seed() + b.offset()).perturb(b.x());
            Target.Answer answer = bench.classify(adv);
            int[] ones = new int[b.x().length];
            Arrays.fill(ones, 1);
            return new Outcome(adv, answer.predictions(), answer.flagged(), ones, null, 0);
        }
    }

    /** A query attack's result: flags per example and the query of each first flag, when verdicts are visible. */
    private static Outcome queried(SquareAttack.Result r) {
        boolean[] flagged = r.verdictsVisible() ? r.flaggedAny() : null;
        return new Outcome(r.adversarial(), r.predictions(), flagged, r.queries(), flagged == null ? null : r.firstFlaggedQuery(), 0);
    }
}
