package io.robustml.tester.targets;

import ai.djl.ndarray.types.Shape;

/** Conversions between rows of flat examples and row-major batches. */
public final class Batches {
    private Batches() {
    }

    public static float[] flatten(float[][] rows) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }

    public static float[][] rows(float[] flat, int count, int width) {
        if (flat.length != (long) count * width) {
            throw new IllegalArgumentException(flat.length + " values are not " + count + " rows of " + width);
        }
        float[][] rows = new float[count][width];
        for (int i = 0; i < count; i++) {
            System.arraycopy(flat, i * width, rows[i], 0, width);
        }
        return rows;
    }

    public static Shape shape(int batch, long[] exampleShape) {
        long[] dims = new long[exampleShape.length + 1];
        dims[0] = batch;
        System.arraycopy(exampleShape, 0, dims, 1, exampleShape.length);
        return new Shape(dims);
    }
}
