package io.robustml.modelserver.runtime;

/** Output of one batched forward pass: logits, row-major, with their shape. */
public record Prediction(float[] logits, long[] shape) {
    /** Index of the largest logit of each row. */
    public long[] argmax() {
        int rows = (int) shape[0];
        int cols = logits.length / rows;
        long[] out = new long[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) {
                if (logits[r * cols + c] > logits[r * cols + best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }
}
