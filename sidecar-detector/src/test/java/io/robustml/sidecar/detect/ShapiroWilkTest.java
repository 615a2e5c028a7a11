package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * W against scipy.stats.shapiro 1.17.1 (which implements the same algorithm, AS R94) on the same
 * samples; the expected values were computed with scipy, not with this code.
 */
class ShapiroWilkTest {
    private final ShapiroWilk sw = new ShapiroWilk();

    @Test
    void matchesScipyOnSmallAndLargeSamples() {
        assertThat(sw.w(new double[] {148, 154, 158, 160, 161, 162, 166, 170, 182, 195, 236}))
                .isCloseTo(0.7888146948631716, within(1e-6));
        assertThat(sw.w(new double[] {1, 2, 4})).isCloseTo(0.9642857142857142, within(1e-6));
        assertThat(sw.w(new double[] {2.2, 3.1, 3.3, 5.0, 9.1})).isCloseTo(0.8456712027426418, within(1e-6));
        double[] exp200 = IntStream.range(0, 200).mapToDouble(i -> Math.exp(Math.sin(i * 0.7) * 1.5)).toArray();
        assertThat(sw.w(exp200)).isCloseTo(0.8304150246754328, within(1e-6));
        double[] uniform1000 = IntStream.range(0, 1000).mapToDouble(i -> ((i * 7919L) % 1009) / 1009.0).toArray();
        assertThat(sw.w(uniform1000)).isCloseTo(0.954846876865679, within(1e-6));
    }

    @Test
    void normalSamplesScoreNearOneAndDegenerateOnesAreNaN() {
        SplittableRandom random = new SplittableRandom(7);
        double[] normal = new double[500];
        for (int i = 0; i < normal.length; i++) {
            normal[i] = gaussian(random) * 3 + 10;
        }
        assertThat(sw.w(normal)).isGreaterThan(0.99);
        assertThat(sw.w(new double[] {1, 1, 1, 1})).isNaN();
        assertThat(sw.w(new double[] {1, 2})).isNaN();
    }

    @Test
    void theNormalQuantileIsAccurate() {
        assertThat(ShapiroWilk.inverseNormal(0.975)).isCloseTo(1.959963984540054, within(1e-8));
        assertThat(ShapiroWilk.inverseNormal(0.001)).isCloseTo(-3.090232306167813, within(1e-8));
        assertThat(ShapiroWilk.inverseNormal(0.3)).isCloseTo(-0.5244005127080409, within(1e-8));
    }

    private static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(1e-12, 1.0);
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
