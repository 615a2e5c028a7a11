package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.robustml.oip.detector.DetectorConfig;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.Fingerprints;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Query similarity on the tabular reference data (model-server/models/breast-cancer.npz, 569 real rows of 30
 * measurements): scaled by the columns' ranges, distinct patients do not look alike and an attacker's
 * near-duplicates do; unscaled, the large measurements saturate and a quarter of the patients look like
 * another; with the image window (25 values, 6 windows of a 30-value row) nothing can ever reach the match
 * threshold.
 */
class TabularSimilarityTest {
    private static final Path DATA = Path.of("../model-server/models/breast-cancer.npz");

    /** The detector.json an operator renders for the tabular example: columns, and the window from the row's length. */
    private static DetectorSettings settings(boolean withColumns, float[][] rows) throws Exception {
        return settings(withColumns, rows, DetectorConfig.QuerySimilarity.tabularWindow(30));
    }

    private static DetectorSettings settings(boolean withColumns, float[][] rows, int window) throws Exception {
        StringBuilder columns = new StringBuilder();
        for (int j = 0; j < 30; j++) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float[] r : rows) {
                min = Math.min(min, r[j]);
                max = Math.max(max, r[j]);
            }
            columns.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"min\":%s,\"max\":%s}", min, max));
        }
        String json = "{\"detector\":{\"methods\":[\"querySimilarity\"],\"querySimilarity\":{\"windowSize\":"
                + window + "}}" + (withColumns ? ",\"columns\":[" + columns + "]" : "") + "}";
        return DetectorSettings.of(DetectorConfig.read(new ObjectMapper(), json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static float[][] rows() throws Exception {
        var arrays = io.robustml.oip.data.NumpyFiles.readNpz(DATA);
        float[][] out = new float[569][];
        int i = 0;
        for (String x : new String[] {"x", "x_train"}) {
            float[] v = arrays.get(x).values();
            for (int r = 0; r < v.length / 30; r++) {
                out[i++] = java.util.Arrays.copyOfRange(v, r * 30, (r + 1) * 30);
            }
        }
        return out;
    }

    private static InputRows one(float[] row) {
        return new InputRows(new long[] {1, 30}, row.clone(), 1, 30);
    }

    /** Every row in turn, each recorded after it is judged: the fraction flagged (distinct patients: false positives). */
    private static double flaggedAmongDistinctRows(DetectorSettings settings, float[][] rows) {
        QuerySimilarityDetector detector = new QuerySimilarityDetector(new FingerprintStore(10_000, Long.MAX_VALUE,
                Fingerprints.BUCKET_CAP), new SimpleMeterRegistry());
        int flagged = 0;
        for (float[] r : rows) {
            QuerySimilarityDetector.Result result = detector.inspect(one(r), settings);
            flagged += result.flagged(0) ? 1 : 0;
            detector.record(result);
        }
        return (double) flagged / rows.length;
    }

    @Test
    void scaledByTheirColumnsDistinctRowsDoNotMatchAndNearDuplicatesDo() throws Exception {
        float[][] rows = rows();
        DetectorSettings scaled = settings(true, rows);
        DetectorSettings raw = settings(false, rows);
        double falsePositives = flaggedAmongDistinctRows(scaled, rows);
        double unscaled = flaggedAmongDistinctRows(raw, rows);

        int probes = 100;
        int caught = probesCaught(scaled, rows, probes);
        int imageWindow = probesCaught(settings(false, rows, DetectorConfig.QuerySimilarity.DEFAULT_WINDOW_SIZE), rows, probes);
        System.out.printf(Locale.ROOT, "[tabular similarity] window %d, match threshold %d: distinct rows flagged %.3f scaled, "
                + "%.3f unscaled; near-duplicate probes flagged %d/%d (with the image window 25, unscaled: %d)%n",
                scaled.windowSize(), scaled.matchThreshold(), falsePositives, unscaled, caught, probes, imageWindow);
        assertThat(falsePositives).isLessThan(0.02);
        assertThat(unscaled).as("without the columns the large measurements saturate").isGreaterThan(0.15);
        assertThat(caught).isGreaterThanOrEqualTo(probes * 8 / 10);
        assertThat(imageWindow).as("six windows never reach a match threshold of 20").isZero();
    }

    /** An attacker's probes around one row, every column moved by up to 1 % of its range: how many are flagged. */
    private static int probesCaught(DetectorSettings settings, float[][] rows, int probes) {
        QuerySimilarityDetector detector = new QuerySimilarityDetector(new FingerprintStore(10_000, Long.MAX_VALUE,
                Fingerprints.BUCKET_CAP), new SimpleMeterRegistry());
        SplittableRandom random = new SplittableRandom(7);
        double[] spans = new double[30];
        for (int j = 0; j < 30; j++) {
            spans[j] = columnSpan(rows, j);
        }
        int caught = 0;
        for (int p = 0; p < probes; p++) {
            float[] probe = rows[0].clone();
            for (int j = 0; j < 30; j++) {
                probe[j] += (float) ((random.nextDouble() * 2 - 1) * 0.01 * spans[j]);
            }
            QuerySimilarityDetector.Result result = detector.inspect(one(probe), settings);
            caught += result.flagged(0) ? 1 : 0;
            detector.record(result);
        }
        return caught;
    }

    private static double columnSpan(float[][] rows, int j) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float[] r : rows) {
            min = Math.min(min, r[j]);
            max = Math.max(max, r[j]);
        }
        return max - min;
    }
}
