package io.robustml.tester.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.Pgd;
import io.robustml.tester.attack.SquareAttack;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.Batches;
import io.robustml.tester.targets.LocalTarget;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Examples per second of FGSM, PGD-20 and Square Attack (1,000 queries) at L∞ ε = 0.1 on 1,000
 * Fashion-MNIST test images, per reference model, with the model's share of the time. Baseline, in
 * the same run: plain batched inference of the same images (one forward pass per example).
 *
 * <pre>./mvnw -pl adversarial-tester -am -Pbench verify -Dtest=AttackThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class AttackThroughputBenchmark {
    private static final int N = Integer.getInteger("bench.examples", 1000);
    private static final int BATCH = 100;
    private static final Path MODELS = Path.of("../model-server/models");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final long[] SHAPE = {1, 28, 28};

    @Test
    void attackThroughput() throws Exception {
        LabelledImages data = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), N);
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        System.out.printf(Locale.ROOT, "%n[bench] %d test images, batches of %d, %d cores, L-inf eps 0.1%n", N, BATCH,
                Runtime.getRuntime().availableProcessors());
        for (String name : new String[] {"standard", "robust"}) {
            try (WhiteBoxModel model = WhiteBoxModel.load(MODELS.resolve("fashion-" + name + ".pt"))) {
                whiteBox(model, data, Pgd.fgsm(c)); // warm-up: JIT and libtorch allocator
                double inference = inference(model, data);
                double fgsm = whiteBox(model, data, Pgd.fgsm(c));
                double pgd = whiteBox(model, data, Pgd.standard(c, 20, 0));
                LocalTarget target = new LocalTarget(model, SHAPE);
                long t0 = System.nanoTime();
                SquareAttack.Result r = null;
                long queries = 0;
                for (int start = 0; start < N; start += BATCH) {
                    float[][] x = Arrays.copyOfRange(data.images(), start, start + BATCH);
                    int[] y = Arrays.copyOfRange(data.labels(), start, start + BATCH);
                    r = new SquareAttack(c, 1000, 0.3f, start).run(target, x, y, false, new Geometry(1, 28, 28));
                    queries += Arrays.stream(r.queries()).sum();
                }
                double squareSeconds = (System.nanoTime() - t0) / 1e9;
                double square = N / squareSeconds;
                System.out.printf(Locale.ROOT, "[bench] %-8s inference %8.0f ex/s (baseline) | FGSM %7.0f ex/s (%.1fx the cost of "
                        + "inference) | PGD-20 %6.0f ex/s (%.1fx) | Square-1000 %6.1f ex/s (%.0fx), %.0f queries/example, "
                        + "%.0f queries/s, model %.0f%% of its time%n", name, inference, fgsm, inference / fgsm, pgd,
                        inference / pgd, square, inference / square, (double) queries / N, queries / squareSeconds,
                        100.0 * target.modelNanos() / 1e9 / squareSeconds);
            }
        }
    }

    private static double inference(WhiteBoxModel model, LabelledImages data) {
        long t0 = System.nanoTime();
        for (int start = 0; start < N; start += BATCH) {
            try (NDManager m = model.newManager()) {
                model.logits(batch(m, data, start)).toFloatArray();
            }
        }
        return N / ((System.nanoTime() - t0) / 1e9);
    }

    private static double whiteBox(WhiteBoxModel model, LabelledImages data, Pgd attack) {
        Engine.getInstance().setRandomSeed(0);
        long t0 = System.nanoTime();
        for (int start = 0; start < N; start += BATCH) {
            try (NDManager m = model.newManager()) {
                NDArray x = batch(m, data, start);
                attack.attack(model, x, m.create(Arrays.copyOfRange(data.labels(), start, start + BATCH))).toFloatArray();
            }
        }
        return N / ((System.nanoTime() - t0) / 1e9);
    }

    private static NDArray batch(NDManager m, LabelledImages data, int start) {
        return m.create(Batches.flatten(Arrays.copyOfRange(data.images(), start, start + BATCH)), Batches.shape(BATCH, SHAPE));
    }
}
