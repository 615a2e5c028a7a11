package io.robustml.tester.bench;

import io.robustml.controlplane.ModelServerProcess;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.SquareAttack;
import io.robustml.tester.targets.OipTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The tester's black-box path over HTTP: the same seeded Square Attack (L∞ ε 0.1) against the real
 * model server, once with JSON tensors and once with binary tensors, in the same run. The attack
 * makes the same queries either way (the answers are bit-identical), so the difference is transport.
 *
 * <pre>./mvnw -pl adversarial-tester -am -Pbench verify -Dtest=WireFormatBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class WireFormatBenchmark {
    private static final int N = Integer.getInteger("bench.examples", 200);
    private static final int BUDGET = Integer.getInteger("bench.queries", 300);
    private static final int BATCH = 100;
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void squareAttackJsonVersusBinary() throws Exception {
        LabelledImages data = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"),
                FASHION.resolve("t10k-labels-idx1-ubyte.gz"), N);
        try (ModelServerProcess server = ModelServerProcess.start(Path.of(".."), "robust", "fashion",
                Path.of("target/model-server-bench.log"))) {
            double[] json = run(server, data, OipTarget.Wire.JSON); // warm-up of both paths first
            run(server, data, OipTarget.Wire.BINARY);
            json = run(server, data, OipTarget.Wire.JSON);
            double[] binary = run(server, data, OipTarget.Wire.BINARY);
            System.out.printf(Locale.ROOT, "%n[bench] Square Attack over HTTP, robust model, %d images, budget %d, batches of %d, %d cores%n",
                    N, BUDGET, BATCH, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "[bench] JSON   %7.1f examples/s, %8.0f queries/s (baseline)%n", json[0], json[1]);
            System.out.printf(Locale.ROOT, "[bench] binary %7.1f examples/s, %8.0f queries/s, %.2fx JSON%n", binary[0], binary[1],
                    binary[0] / json[0]);
        }
    }

    /** Examples per second and queries per second of one full pass. */
    private static double[] run(ModelServerProcess server, LabelledImages data, OipTarget.Wire wire) throws Exception {
        OipTarget target = OipTarget.connect(server.url(), "fashion", BATCH, null, Duration.ofSeconds(60), wire);
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        long queries = 0;
        long t0 = System.nanoTime();
        for (int start = 0; start < N; start += BATCH) {
            float[][] x = Arrays.copyOfRange(data.images(), start, Math.min(N, start + BATCH));
            int[] y = Arrays.copyOfRange(data.labels(), start, Math.min(N, start + BATCH));
            SquareAttack.Result r = new SquareAttack(c, BUDGET, 0.3f, start).run(target, x, y, false, new Geometry(1, 28, 28));
            queries += Arrays.stream(r.queries()).sum();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new double[] {N / seconds, queries / seconds};
    }
}
