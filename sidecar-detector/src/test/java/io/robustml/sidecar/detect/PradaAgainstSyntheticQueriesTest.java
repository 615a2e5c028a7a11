package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * PRADA (the sidecar's settings: δ 0.9, 500 distances per class) against JBDA-shaped queries: 31 natural seeds,
 * then rounds in which every point spawns one a ±0.1 step away per pixel (λ's sign flipping every three rounds).
 * A client that starts so is flagged within a few hundred queries; one that first sent 1,000 natural images is
 * not — its natural distances dilute the synthetic ones (an evasion the docs name).
 */
class PradaAgainstSyntheticQueriesTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    /** The query (1-based, counting the warm-up) at which the client was first flagged, 0 when never. */
    private static int firstFlag(int naturalFirst) throws Exception {
        LabelledImages d = IdxFiles.read(FASHION.resolve("train-images-idx3-ubyte.gz"), FASHION.resolve("train-labels-idx1-ubyte.gz"),
                naturalFirst + 31);
        Prada prada = new Prada(io.robustml.oip.detector.DetectorConfig.Extraction.DEFAULT_DELTA, 10, Long.MAX_VALUE, 1 << 26, 1000, 500);
        int sent = 0;
        for (int i = 0; i < naturalFirst; i++) {
            if (prada.observe("client", d.images()[i], d.labels()[i], ++sent).flagged()) {
                return sent;
            }
        }
        List<float[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        for (int i = naturalFirst; i < naturalFirst + 31; i++) {
            x.add(d.images()[i]);
            y.add(d.labels()[i]);
            if (prada.observe("client", d.images()[i], d.labels()[i], ++sent).flagged()) {
                return sent;
            }
        }
        SplittableRandom random = new SplittableRandom(1);
        for (int round = 0; x.size() < 1000; round++) {
            float lambda = (round / 3) % 2 == 0 ? 0.1f : -0.1f;
            int parents = x.size();
            for (int i = 0; i < parents && x.size() < 1000; i++) {
                float[] child = x.get(i).clone();
                for (int k = 0; k < child.length; k++) {
                    child[k] = Math.min(1, Math.max(0, child[k] + (random.nextBoolean() ? lambda : -lambda)));
                }
                x.add(child);
                y.add(y.get(i));
                if (prada.observe("client", child, y.get(i), ++sent).flagged()) {
                    return sent;
                }
            }
        }
        return 0;
    }

    @Test
    void syntheticStepsAreFlaggedUnlessNaturalQueriesCameFirst() throws Exception {
        int fresh = firstFlag(0);
        int afterAnEvaluation = firstFlag(100);
        int diluted = firstFlag(1000);
        System.out.printf("[prada] JBDA-shaped queries flagged at query %d (fresh client), %d (after 100 natural), %s (after 1,000 "
                + "natural)%n", fresh, afterAnEvaluation, diluted == 0 ? "never in 2,000" : Integer.toString(diluted));
        assertThat(fresh).isBetween(1, 300);
        assertThat(afterAnEvaluation).isBetween(101, 400);
        assertThat(diluted).as("natural queries first dilute the synthetic distances").isZero();
    }
}
