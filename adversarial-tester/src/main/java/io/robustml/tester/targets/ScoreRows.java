package io.robustml.tester.targets;

import java.util.Arrays;
import java.util.List;

/**
 * Turns an Open Inference Protocol answer into one score row per input, whatever the sidecar's
 * {@code outputHardening} left of it: all scores; the top k ({@code <name>} scores best first and
 * {@code <name>_classes} indices: classes not shown score −∞); or the predicted label alone (an
 * integer output of one value per row: a one-hot row, so the arg-max is the label and nothing more is
 * known). Pure.
 */
final class ScoreRows {
    /** One output tensor: name, datatype and values, flat. */
    record Output(String name, String datatype, float[] values) {
        boolean floating() {
            return datatype == null || datatype.startsWith("FP") || datatype.equals("BF16"); // no datatype: scores, as before
        }
    }

    private ScoreRows() {
    }

    /**
     * @param classes the model's class count from its metadata, or 0 when unknown (one-hot and top-k
     *                rows are then as long as the largest class index seen needs)
     */
    static float[][] of(List<Output> outputs, int count, int classes) {
        Output scores = outputs.stream().filter(o -> o.floating() && o.values().length > 0 && o.values().length % count == 0)
                .findFirst().orElse(null);
        if (scores != null) {
            Output indices = outputs.stream().filter(o -> !o.floating() && o.name() != null
                    && o.name().equals(scores.name() + "_classes") && o.values().length == scores.values().length)
                    .findFirst().orElse(null);
            int k = scores.values().length / count;
            if (indices == null) {
                float[][] rows = new float[count][];
                for (int i = 0; i < count; i++) {
                    rows[i] = Arrays.copyOfRange(scores.values(), i * k, (i + 1) * k);
                }
                return rows;
            }
            int width = Math.max(classes, max(indices.values()) + 1);
            float[][] rows = new float[count][width];
            for (int i = 0; i < count; i++) {
                Arrays.fill(rows[i], Float.NEGATIVE_INFINITY);
                for (int j = 0; j < k; j++) {
                    rows[i][(int) indices.values()[i * k + j]] = scores.values()[i * k + j];
                }
            }
            return rows;
        }
        Output label = outputs.stream().filter(o -> !o.floating() && o.values().length == count).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("expected " + count + " rows of scores or labels in the answer"));
        int width = Math.max(Math.max(classes, max(label.values()) + 1), 2);
        float[][] rows = new float[count][width];
        for (int i = 0; i < count; i++) {
            int c = (int) label.values()[i];
            if (c < 0) {
                throw new IllegalArgumentException("a negative class label " + c + " in the answer");
            }
            rows[i][c] = 1f;
        }
        return rows;
    }

    private static int max(float[] values) {
        int m = 0;
        for (float v : values) {
            m = Math.max(m, (int) v);
        }
        return m;
    }
}
