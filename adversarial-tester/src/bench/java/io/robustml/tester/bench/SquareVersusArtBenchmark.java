package io.robustml.tester.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.SquareAttack;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.Target;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Square Attack's success against ART's (the peer, run in the same benchmark): the same model file, the same
 * Fashion-MNIST test images, L∞ ε, p_init and budget, several seeds each. ART's {@code max_iter} counts
 * iterations after the stripes' query, so ours gets {@code max_iter + 1} queries per image (ART's extra
 * predictions of the current images, which the paper does not count, are not queries of ours). Success is over
 * the images the model classifies correctly, as both count it.
 *
 * <pre>scripts/python-env mlserver   # torch 2.7.1 and ART 1.20.1
 * ./mvnw -pl adversarial-tester -am -Pbench verify -Dtest=SquareVersusArtBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class SquareVersusArtBenchmark {
    private static final int N = Integer.getInteger("bench.examples", 500);
    private static final int MAX_ITER = Integer.getInteger("bench.maxIter", 100);
    private static final float EPS = 0.1f;
    private static final int SEEDS = Integer.getInteger("bench.seeds", 5);
    private static final Path MODELS = Path.of("../model-server/models");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    private static final Path PYTHON = Path.of(System.getProperty("user.home"), ".cache/robustml/mlserver-venv/bin/python");

    @Test
    void squareAgainstArt() throws Exception {
        LabelledImages data = IdxFiles.read(FASHION.resolve("t10k-images-idx3-ubyte.gz"), FASHION.resolve("t10k-labels-idx1-ubyte.gz"), N);
        System.out.printf(Locale.ROOT, "%n[bench] Square Attack vs ART 1.20.1: %d test images, L-inf eps %.2f, %d iterations, "
                + "%d seeds, %d cores, load %s%n", N, EPS, MAX_ITER, SEEDS, Runtime.getRuntime().availableProcessors(),
                Files.readString(Path.of("/proc/loadavg")).trim());
        for (String model : List.of("standard", "robust")) {
            Path file = MODELS.resolve("fashion-" + model + ".pt");
            for (float pInit : new float[] {0.8f, 0.3f}) {
                double[] art = Boolean.getBoolean("bench.oursOnly") ? new double[] {Double.NaN} : art(file, pInit);
                double[] ours = ours(file, data, pInit);
                System.out.printf(Locale.ROOT, "[bench] %-8s p_init %.1f | ART %.4f ± %.4f | ours %.4f ± %.4f | ours − ART %+.2f pp "
                        + "(seeds: ART %s, ours %s)%n", model, pInit, mean(art), sd(art), mean(ours), sd(ours),
                        100 * (mean(ours) - mean(art)), fmt(art), fmt(ours));
            }
        }
    }

    private static double[] ours(Path file, LabelledImages data, float pInit) throws Exception {
        long[] shape = {1, 28, 28};
        double[] rates = new double[SEEDS];
        try (WhiteBoxModel model = WhiteBoxModel.load(file)) {
            LocalTarget target = new LocalTarget(model, shape);
            Target.Answer clean = target.classify(data.images());
            List<float[]> x = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            for (int i = 0; i < data.count(); i++) {
                if (clean.predictions()[i] == data.labels()[i]) {
                    x.add(data.images()[i]);
                    y.add(data.labels()[i]);
                }
            }
            int[] labels = y.stream().mapToInt(Integer::intValue).toArray();
            for (int seed = 0; seed < SEEDS; seed++) {
                SquareAttack.Result r = new SquareAttack(Constraint.unitRange(Norm.LINF, EPS), MAX_ITER + 1, pInit, seed)
                        .run(target, x.toArray(float[][]::new), labels, false, new Geometry(1, 28, 28));
                int fooled = 0;
                for (int i = 0; i < labels.length; i++) {
                    fooled += r.predictions()[i] != labels[i] ? 1 : 0;
                }
                rates[seed] = (double) fooled / labels.length;
            }
        }
        return rates;
    }

    private static double[] art(Path file, float pInit) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "src/bench/python/art_square.py", "--model", file.toString(),
                "--data", FASHION.toString(), "--n", Integer.toString(N), "--eps", Float.toString(EPS), "--max-iter",
                Integer.toString(MAX_ITER), "--p-init", Float.toString(pInit), "--seeds"));
        for (int seed = 0; seed < SEEDS; seed++) {
            command.add(Integer.toString(seed));
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Double> rates = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                JsonNode json = new ObjectMapper().readTree(line);
                rates.add(json.get("success").asDouble());
            }
        }
        if (p.waitFor() != 0 || rates.size() != SEEDS) {
            throw new IllegalStateException("ART's run failed (exit " + p.exitValue() + "): " + rates);
        }
        return rates.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double sd(double[] v) {
        double m = mean(v);
        return Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / Math.max(1, v.length - 1));
    }

    private static String fmt(double[] v) {
        return Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.3f", x)).toList().toString();
    }
}
