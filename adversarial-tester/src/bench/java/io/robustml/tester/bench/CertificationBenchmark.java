package io.robustml.tester.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.Pgd;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.certify.Certify;
import io.robustml.tester.certify.Smoothing;
import io.robustml.tester.targets.Batches;
import io.robustml.tester.targets.LocalTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Certified L2 accuracy by randomized smoothing (n0 100, n 1,000, alpha 0.001) on the reference models
 * at radii 0.25 and 0.5, next to the empirical figure at the same radii: the base model's accuracy under
 * PGD-20 in L2 (an upper bound on any certified accuracy of the base model; the smoothed model is
 * another classifier). Baseline in the same run: one forward pass per example, for the cost ratio.
 *
 * <pre>./mvnw -pl adversarial-tester -am -Pbench verify -Dtest=CertificationBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * ({@code -Dbench.examples=500} by default; the load average is printed beside the figures.)
 */
class CertificationBenchmark {
    private static final int N = Integer.getInteger("bench.examples", 500);
    private static final int BATCH = 100;
    private static final Path MODELS = Path.of("../model-server/models");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final long[] SHAPE = {1, 28, 28};
    private static final List<Double> RADII = List.of(0.25, 0.5);

    @Test
    void certifiedAccuracy() throws Exception {
        LabelledImages data = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), N);
        System.out.printf(Locale.ROOT, "%n[bench] %d test images, %d cores, load average %s%n", N,
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.println("| model | sigma | clean | PGD-20 L2 0.25 | PGD-20 L2 0.5 | smoothed | certified 0.25 | certified 0.5 "
                + "| abstained | time (x inference) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (String name : new String[] {"standard", "robust"}) {
            try (WhiteBoxModel model = WhiteBoxModel.load(MODELS.resolve("fashion-" + name + ".pt"))) {
                accuracy(model, data, null); // warm-up
                long t0 = System.nanoTime();
                double clean = accuracy(model, data, null);
                double inference = (System.nanoTime() - t0) / 1e9;
                double pgd025 = accuracy(model, data, Constraint.unitRange(Norm.L2, 0.25f));
                double pgd05 = accuracy(model, data, Constraint.unitRange(Norm.L2, 0.5f));
                for (double sigma : new double[] {0.12, 0.25}) {
                    Smoothing s = new Smoothing(sigma, 100, 1000, 0.001, RADII, N);
                    LocalTarget local = new LocalTarget(model, SHAPE);
                    Certify.Classifier f = batch -> local.classify(batch).predictions();
                    SplittableRandom random = new SplittableRandom(0);
                    long c0 = System.nanoTime();
                    int[] certified = new int[RADII.size()];
                    int correct = 0;
                    int abstained = 0;
                    for (int i = 0; i < N; i++) {
                        Certify.Certificate c = Certify.certify(f, data.images()[i], 10, s, 550, random);
                        abstained += c.predicted() == Certify.ABSTAIN ? 1 : 0;
                        correct += c.correctWithin(data.labels()[i], 0) ? 1 : 0;
                        for (int r = 0; r < RADII.size(); r++) {
                            certified[r] += c.correctWithin(data.labels()[i], RADII.get(r)) ? 1 : 0;
                        }
                    }
                    double seconds = (System.nanoTime() - c0) / 1e9;
                    System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d | %.1f s (%.0fx) |%n", name,
                            sigma, clean, pgd025, pgd05, (double) correct / N, (double) certified[0] / N, (double) certified[1] / N,
                            abstained, seconds, seconds / inference);
                }
            }
        }
    }

    /** Accuracy on the N images, clean (null) or under PGD-20 within the constraint (step eps / 8, random start). */
    private static double accuracy(WhiteBoxModel model, LabelledImages data, Constraint c) {
        Engine.getInstance().setRandomSeed(0);
        int correct = 0;
        for (int start = 0; start < N; start += BATCH) {
            int end = Math.min(N, start + BATCH);
            float[][] x = Arrays.copyOfRange(data.images(), start, end);
            int[] y = Arrays.copyOfRange(data.labels(), start, end);
            try (NDManager m = model.newManager()) {
                NDArray input = m.create(Batches.flatten(x), Batches.shape(x.length, SHAPE));
                NDArray attacked = c == null ? input
                        : new Pgd(c, c.epsilon() / 8, 20, 0, true).attack(model, input, m.create(y));
                long[] predicted = model.logits(attacked).argMax(1).toLongArray();
                for (int i = 0; i < y.length; i++) {
                    correct += predicted[i] == y[i] ? 1 : 0;
                }
            }
        }
        return (double) correct / N;
    }
}
