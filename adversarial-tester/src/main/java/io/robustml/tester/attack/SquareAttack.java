package io.robustml.tester.attack;

import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Square Attack, L∞ (Andriushchenko et al., ECCV 2020): a score-based black-box attack. It starts
 * from random vertical stripes at ±ε, then repeatedly changes one random square window to ±ε per
 * channel and keeps the change when the margin loss drops. The window shrinks on the paper's
 * schedule. Each example stops as soon as it is misclassified; all active examples of a batch are
 * sent in one request per iteration.
 *
 * @param queryBudget queries per example, including the first
 * @param pInit       initial fraction of pixels changed per step (the tester uses ART's default 0.8; the paper
 *                    used 0.05 on ImageNet, larger values suit small images and small budgets)
 */
public record SquareAttack(Constraint constraint, int queryBudget, float pInit, long seed) {

    public SquareAttack {
        if (constraint.norm() != Norm.LINF) {
            throw new IllegalArgumentException("this Square Attack is the L-inf variant");
        }
        if (queryBudget < 1 || !(pInit > 0 && pInit <= 1)) {
            throw new IllegalArgumentException("need queryBudget >= 1 and 0 < pInit <= 1");
        }
    }

    /**
     * What the attack found per example: the best adversarial example, its last scores, the queries
     * it took, whether the goal was reached, and whether any of its queries was flagged (and at which).
     */
    public record Result(float[][] adversarial, int[] predictions, int[] queries, boolean[] reached,
            boolean[] flaggedAny, int[] firstFlaggedQuery, boolean verdictsVisible) {
    }

    public Result run(Target target, float[][] x, int[] labels, boolean targeted, Geometry geometry) throws IOException {
        int n = x.length;
        float eps = constraint.epsilon();
        SplittableRandom random = new SplittableRandom(seed);
        float[][] best = new float[n][];
        int[] queries = new int[n];
        int[] predictions = new int[n];
        float[] margin = new float[n];
        boolean[] reached = new boolean[n];
        boolean[] flaggedAny = new boolean[n];
        int[] firstFlag = new int[n];

        for (int i = 0; i < n; i++) {
            best[i] = stripes(x[i], geometry, random, eps);
        }
        Target.Answer first = target.classify(best);
        boolean visible = first.flagged() != null;
        for (int i = 0; i < n; i++) {
            record(first, i, i, labels, targeted, queries, predictions, margin, reached, flaggedAny, firstFlag);
        }

        for (int iteration = 1; iteration < queryBudget; iteration++) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!reached[i]) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            // The paper's (and ART's) schedule counts iterations from 0: the first window takes pInit of the pixels.
            int side = windowSide(pSelection(iteration - 1), geometry);
            float[][] candidates = new float[active.size()][];
            for (int j = 0; j < candidates.length; j++) {
                int i = active.get(j);
                candidates[j] = changeWindow(x[i], best[i], geometry, side, random, eps);
            }
            Target.Answer answer = target.classify(candidates);
            visible &= answer.flagged() != null;
            for (int j = 0; j < candidates.length; j++) {
                int i = active.get(j);
                queries[i]++;
                noteFlag(answer, j, i, queries, flaggedAny, firstFlag);
                float m = Margins.margin(answer.scores()[j], labels[i], targeted);
                if (m < margin[i]) {
                    best[i] = candidates[j];
                    margin[i] = m;
                    predictions[i] = answer.predicted(j);
                    reached[i] = Margins.reached(answer.scores()[j], labels[i], targeted);
                }
            }
        }
        constraint.check(x, best);
        return new Result(best, predictions, queries, reached, flaggedAny, firstFlag, visible);
    }

    private void record(Target.Answer answer, int row, int i, int[] labels, boolean targeted, int[] queries,
            int[] predictions, float[] margin, boolean[] reached, boolean[] flaggedAny, int[] firstFlag) {
        queries[i]++;
        noteFlag(answer, row, i, queries, flaggedAny, firstFlag);
        margin[i] = Margins.margin(answer.scores()[row], labels[i], targeted);
        predictions[i] = answer.predicted(row);
        reached[i] = Margins.reached(answer.scores()[row], labels[i], targeted);
    }

    private static void noteFlag(Target.Answer answer, int row, int i, int[] queries, boolean[] flaggedAny, int[] firstFlag) {
        if (answer.flagged() != null && answer.flagged()[row] && !flaggedAny[i]) {
            flaggedAny[i] = true;
            firstFlag[i] = queries[i];
        }
    }

    /** The paper's schedule for the fraction of pixels changed, with the budget rescaled to 10,000. */
    float pSelection(int iteration) {
        int it = (int) ((long) iteration * 10_000 / queryBudget);
        int divisor;
        if (it <= 10) {
            divisor = 1;
        } else if (it <= 50) {
            divisor = 2;
        } else if (it <= 200) {
            divisor = 4;
        } else if (it <= 500) {
            divisor = 8;
        } else if (it <= 1000) {
            divisor = 16;
        } else if (it <= 2000) {
            divisor = 32;
        } else if (it <= 4000) {
            divisor = 64;
        } else if (it <= 6000) {
            divisor = 128;
        } else if (it <= 8000) {
            divisor = 256;
        } else {
            divisor = 512;
        }
        return pInit / divisor;
    }

    static int windowSide(float p, Geometry g) {
        int side = Math.round((float) Math.sqrt(p * g.height() * g.width()));
        return Math.max(1, Math.min(side, Math.min(g.height(), g.width()) - 1));
    }

    /** Initialisation: per channel and column, one random sign at full ε (vertical stripes). */
    private float[] stripes(float[] x, Geometry g, SplittableRandom random, float eps) {
        float[] adv = new float[x.length];
        for (int c = 0; c < g.channels(); c++) {
            for (int w = 0; w < g.width(); w++) {
                float delta = random.nextBoolean() ? eps : -eps;
                for (int h = 0; h < g.height(); h++) {
                    int k = (c * g.height() + h) * g.width() + w;
                    adv[k] = clip(x[k] + delta);
                }
            }
        }
        return adv;
    }

    /** A copy of {@code current} with one random square set to x ± ε per channel, different from before. */
    private float[] changeWindow(float[] x, float[] current, Geometry g, int side, SplittableRandom random, float eps) {
        float[] candidate = current.clone();
        int top = random.nextInt(g.height() - side + 1);
        int left = random.nextInt(g.width() - side + 1);
        for (int c = 0; c < g.channels(); c++) {
            float delta = random.nextBoolean() ? eps : -eps;
            if (!changes(x, current, g, c, top, left, side, delta)) {
                delta = -delta; // the paper redraws until the window changes; with one value per channel, flip
            }
            for (int h = top; h < top + side; h++) {
                for (int w = left; w < left + side; w++) {
                    int k = (c * g.height() + h) * g.width() + w;
                    candidate[k] = clip(x[k] + delta);
                }
            }
        }
        return candidate;
    }

    private boolean changes(float[] x, float[] current, Geometry g, int c, int top, int left, int side, float delta) {
        for (int h = top; h < top + side; h++) {
            for (int w = left; w < left + side; w++) {
                int k = (c * g.height() + h) * g.width() + w;
                if (Math.abs(clip(x[k] + delta) - current[k]) > 1e-7f) {
                    return true;
                }
            }
        }
        return false;
    }

    private float clip(float v) {
        return Math.min(constraint.max(), Math.max(constraint.min(), v));
    }
}
