package io.robustml.tester.attack;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.SplittableRandom;

/**
 * Model extraction by knockoff (Orekondy et al., CVPR 2019, natural-image variant): the attacker sends
 * {@code queryBudget} natural images it owns, keeps the target's top-1 answers, and trains a surrogate
 * (an MLP) on them. The number is the surrogate's agreement with the target on held-out images:
 * how much of the model walked out through the API. Such clients look like ordinary ones to a
 * distribution test (DESIGN §8); the defences are identity, quotas, rate limits and output hardening.
 */
public record KnockoffExtraction(int queryBudget, int epochs, int batchSize, int hiddenUnits, long seed) {

    public KnockoffExtraction {
        if (queryBudget < 1 || epochs < 1 || batchSize < 1 || hiddenUnits < 1) {
            throw new IllegalArgumentException("queryBudget, epochs, batchSize and hiddenUnits must be positive");
        }
    }

    public static KnockoffExtraction withBudget(int queryBudget, long seed) {
        return new KnockoffExtraction(queryBudget, 10, 64, 256, seed);
    }

    /**
     * @param firstFlaggedQuery 1-based index of the first query the sidecar flagged, 0 when none was
     *                          (or verdicts were not visible: see {@code verdictsVisible})
     */
    public record Result(int queriesUsed, double agreement, boolean verdictsVisible, int firstFlaggedQuery) {
    }

    /**
     * @param pool             the attacker's own natural images (only the first queryBudget are sent)
     * @param heldOut          images to compare surrogate and target on (never sent by the attacker)
     * @param targetOnHeldOut  the target's answers on {@code heldOut}, measured by the clean evaluation
     */
    public Result run(Target target, float[][] pool, float[][] heldOut, int[] targetOnHeldOut) throws IOException {
        try (Knockoff knockoff = steal(target, pool)) {
            int[] surrogate = knockoff.predict(heldOut);
            int agree = 0;
            for (int i = 0; i < heldOut.length; i++) {
                agree += surrogate[i] == targetOnHeldOut[i] ? 1 : 0;
            }
            return new Result(knockoff.queriesUsed(), heldOut.length == 0 ? 0.0 : (double) agree / heldOut.length,
                    knockoff.verdictsVisible(), knockoff.firstFlaggedQuery());
        }
    }

    /** JBDA's step (Papernot et al.: λ = 0.1 of a [0, 1] range) and how many rounds pass before its sign flips (τ = 3). */
    static final float JBDA_LAMBDA = 0.1f;
    static final int JBDA_TAU = 3;

    /**
     * Model extraction by Jacobian-based dataset augmentation (Papernot et al., AsiaCCS 2017): a few seed
     * images of the attacker's pool (a thirty-second of the budget, at least 10), labelled by the target;
     * then rounds of: train the substitute on everything labelled so far, and add, for each point, the point
     * moved by λ·sign of the substitute's gradient of the score of the target's label (λ's sign flipping every
     * τ rounds), clipped to the input range, labelled by the target — until the budget is spent. Every
     * synthetic query is a small step from an earlier one: the distance pattern PRADA (Juuti et al. 2019) tests
     * for. The substitute is the knockoff's MLP; the number is again its agreement with the target.
     */
    public Result jbda(Target target, float[][] pool, float[][] heldOut, int[] targetOnHeldOut, float min, float max)
            throws IOException {
        if (pool.length == 0) {
            throw new IllegalArgumentException("the extraction attacker has no images of its own (empty pool)");
        }
        int seeds = Math.min(pool.length, Math.min(queryBudget, Math.max(10, queryBudget / 32)));
        int[] permutation = permutation(pool.length, new SplittableRandom(seed));
        java.util.List<float[]> x = new java.util.ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            x.add(pool[permutation[i]]);
        }
        Labels labels = new Labels();
        labels.add(target, x, batchSize);
        Knockoff substitute = null;
        try {
            for (int round = 0; labels.used < queryBudget; round++) {
                if (substitute != null) {
                    substitute.close();
                }
                substitute = train(x.toArray(float[][]::new), labels.array(), Math.max(labels.classes, 2), labels.used, labels.visible,
                        labels.firstFlag);
                float lambda = (round / JBDA_TAU) % 2 == 0 ? JBDA_LAMBDA * (max - min) : -JBDA_LAMBDA * (max - min);
                int room = Math.min(x.size(), queryBudget - labels.used);
                java.util.List<float[]> augmented = substitute.augment(x.subList(0, room), labels.values.subList(0, room), lambda,
                        min, max);
                labels.add(target, augmented, batchSize);
                x.addAll(augmented);
            }
            substitute.close();
            try (Knockoff last = train(x.toArray(float[][]::new), labels.array(), Math.max(labels.classes, 2), labels.used,
                    labels.visible, labels.firstFlag)) {
                substitute = null;
                int[] predicted = last.predict(heldOut);
                int agree = 0;
                for (int i = 0; i < heldOut.length; i++) {
                    agree += predicted[i] == targetOnHeldOut[i] ? 1 : 0;
                }
                return new Result(labels.used, heldOut.length == 0 ? 0.0 : (double) agree / heldOut.length, labels.visible,
                        labels.visible ? labels.firstFlag : 0);
            }
        } finally {
            if (substitute != null) {
                substitute.close();
            }
        }
    }

    /** The target's top-1 answers to the queries sent so far, and what the sidecar showed of them. */
    private static final class Labels {
        final java.util.List<Integer> values = new java.util.ArrayList<>();
        int used;
        int classes;
        boolean visible = true;
        int firstFlag;

        void add(Target target, java.util.List<float[]> queries, int batchSize) throws IOException {
            for (int start = 0; start < queries.size(); start += batchSize) {
                float[][] chunk = queries.subList(start, Math.min(queries.size(), start + batchSize)).toArray(float[][]::new);
                Target.Answer answer = target.classify(chunk);
                classes = Math.max(classes, answer.scores()[0].length);
                for (int j = 0; j < chunk.length; j++) {
                    values.add(answer.predicted(j));
                    used++;
                    if (answer.flagged() == null) {
                        visible = false;
                    } else if (answer.flagged()[j] && firstFlag == 0) {
                        firstFlag = used;
                    }
                }
            }
        }

        int[] array() {
            return values.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * Sends {@code queryBudget} images of the attacker's pool, keeps the target's top-1 answers (so it
     * works against a label-only endpoint) and trains the surrogate on them. The caller closes it.
     */
    public Knockoff steal(Target target, float[][] pool) throws IOException {
        int n = Math.min(queryBudget, pool.length);
        if (n == 0) {
            throw new IllegalArgumentException("the extraction attacker has no images of its own (empty pool)");
        }
        float[][] queries = new float[n][];
        int[] permutation = permutation(pool.length, new SplittableRandom(seed));
        for (int i = 0; i < n; i++) {
            queries[i] = pool[permutation[i]];
        }
        int[] answers = new int[n];
        boolean visible = true;
        int firstFlag = 0;
        int classes = 0;
        for (int start = 0; start < n; start += batchSize) {
            float[][] chunk = java.util.Arrays.copyOfRange(queries, start, Math.min(n, start + batchSize));
            Target.Answer answer = target.classify(chunk);
            classes = Math.max(classes, answer.scores()[0].length);
            for (int j = 0; j < chunk.length; j++) {
                answers[start + j] = answer.predicted(j);
                if (answer.flagged() == null) {
                    visible = false;
                } else if (answer.flagged()[j] && firstFlag == 0) {
                    firstFlag = start + j + 1;
                }
            }
        }
        return train(queries, answers, Math.max(classes, 2), n, visible, visible ? firstFlag : 0);
    }

    /**
     * The stolen copy: an MLP the attacker has the gradients of (frozen weights), so white-box attacks
     * can run on it and be replayed against the target (transfer).
     */
    public static final class Knockoff implements Differentiable, AutoCloseable {
        private final Model model;
        private final SequentialBlock net;
        private final int queriesUsed;
        private final boolean verdictsVisible;
        private final int firstFlaggedQuery;
        private final Loss loss = Loss.softmaxCrossEntropyLoss();

        Knockoff(Model model, SequentialBlock net, int queriesUsed, boolean verdictsVisible, int firstFlaggedQuery) {
            this.model = model;
            this.net = net;
            this.queriesUsed = queriesUsed;
            this.verdictsVisible = verdictsVisible;
            this.firstFlaggedQuery = firstFlaggedQuery;
            net.freezeParameters(true);
        }

        public int queriesUsed() {
            return queriesUsed;
        }

        public boolean verdictsVisible() {
            return verdictsVisible;
        }

        /** 1-based index of the first flagged query of the extraction, 0 when none was (or none visible). */
        public int firstFlaggedQuery() {
            return firstFlaggedQuery;
        }

        @Override
        public NDManager newManager() {
            return model.getNDManager().newSubManager();
        }

        @Override
        public NDArray logits(NDArray input) {
            return net.forward(new ParameterStore(input.getManager(), false), new NDList(flat(input)), false).singletonOrThrow();
        }

        @Override
        public WhiteBoxModel.GradientAndLogits lossGradientAndLogits(NDArray input, NDArray labels) {
            NDArray leaf = input.stopGradient().duplicate();
            leaf.setRequiresGradient(true);
            NDArray logits;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                logits = net.forward(new ParameterStore(input.getManager(), false), new NDList(flat(leaf)), true).singletonOrThrow();
                collector.backward(loss.evaluate(new NDList(labels), new NDList(logits)));
            }
            return new WhiteBoxModel.GradientAndLogits(leaf.getGradient().duplicate(), logits.stopGradient());
        }

        /**
         * JBDA's augmentation: each point moved by {@code lambda}·sign of the gradient of this substitute's
         * score for {@code labels} (the target's answers), clipped to [min, max].
         */
        java.util.List<float[]> augment(java.util.List<float[]> points, java.util.List<Integer> labels, float lambda, float min,
                float max) {
            java.util.List<float[]> out = new java.util.ArrayList<>();
            int features = points.get(0).length;
            for (int start = 0; start < points.size(); start += 256) {
                int count = Math.min(256, points.size() - start);
                float[] batch = new float[count * features];
                int[] classes = new int[count];
                for (int j = 0; j < count; j++) {
                    System.arraycopy(points.get(start + j), 0, batch, j * features, features);
                    classes[j] = labels.get(start + j);
                }
                try (NDManager m = newManager()) {
                    NDArray leaf = m.create(batch, new Shape(count, features));
                    leaf.setRequiresGradient(true);
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = net.forward(new ParameterStore(m, false), new NDList(leaf), true).singletonOrThrow();
                        NDArray picked = logits.mul(m.create(classes).oneHot((int) logits.getShape().get(1))).sum();
                        collector.backward(picked);
                    }
                    float[] moved = leaf.add(leaf.getGradient().sign().mul(lambda)).clip(min, max).toFloatArray();
                    for (int j = 0; j < count; j++) {
                        out.add(java.util.Arrays.copyOfRange(moved, j * features, (j + 1) * features));
                    }
                }
            }
            return out;
        }

        private static NDArray flat(NDArray input) {
            return input.reshape(input.getShape().get(0), -1);
        }

        int[] predict(float[][] images) {
            int[] predictions = new int[images.length];
            if (images.length == 0) {
                return predictions;
            }
            int features = images[0].length;
            for (int start = 0; start < images.length; start += 256) {
                int count = Math.min(256, images.length - start);
                float[] batch = new float[count * features];
                for (int j = 0; j < count; j++) {
                    System.arraycopy(images[start + j], 0, batch, j * features, features);
                }
                try (NDManager m = newManager()) {
                    long[] argMax = logits(m.create(batch, new Shape(count, features))).argMax(1).toLongArray();
                    for (int j = 0; j < count; j++) {
                        predictions[start + j] = (int) argMax[j];
                    }
                }
            }
            return predictions;
        }

        @Override
        public void close() {
            model.close();
        }
    }

    private Knockoff train(float[][] x, int[] y, int classes, int queriesUsed, boolean visible, int firstFlag) {
        int features = x[0].length;
        Engine.getInstance().setRandomSeed((int) seed);
        SequentialBlock net = new SequentialBlock()
                .add(Blocks.batchFlattenBlock(features))
                .add(Linear.builder().setUnits(hiddenUnits).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(classes).build());
        Model model = Model.newInstance("knockoff-surrogate", "PyTorch");
        try {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batchSize, features));
                SplittableRandom random = new SplittableRandom(seed + 1);
                for (int epoch = 0; epoch < epochs; epoch++) {
                    int[] order = permutation(x.length, random);
                    for (int start = 0; start < x.length; start += batchSize) {
                        int count = Math.min(batchSize, x.length - start);
                        float[] batch = new float[count * features];
                        int[] labels = new int[count];
                        for (int j = 0; j < count; j++) {
                            System.arraycopy(x[order[start + j]], 0, batch, j * features, features);
                            labels[j] = y[order[start + j]];
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray input = m.create(batch, new Shape(count, features));
                            NDArray target = m.create(labels);
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                                collector.backward(trainer.getLoss().evaluate(new NDList(target), new NDList(logits)));
                            }
                            trainer.step();
                        }
                    }
                }
            }
            return new Knockoff(model, net, queriesUsed, visible, firstFlag);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
