package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.robustml.oip.squeeze.Squeezers;
import io.robustml.oip.BinaryTensors;

/**
 * Feature squeezing on one inference request, in one upstream call: the request's rows are sent
 * together with their bit-depth-reduced and median-smoothed copies (3n rows instead of n); the answer
 * is split into the client's n rows and one score per row. Pure: no I/O, so it is unit-tested alone.
 */
public final class SqueezingInspection {
    private final JsonNode request;
    private final long[] shape;
    private final int rows;
    private final int copies;
    /** The rows, then each squeezed copy of all rows, row-major. */
    private final float[] augmented;

    private SqueezingInspection(JsonNode request, long[] shape, int rows, int copies, float[] augmented) {
        this.request = request;
        this.shape = shape;
        this.rows = rows;
        this.copies = copies;
        this.augmented = augmented;
    }

    /**
     * Rows the model is asked per input row: the row, its bit-depth copy and, for images at least as
     * large as the median window, its median-smoothed copy. Cheap: the size check runs before any squeezing.
     */
    public static int copies(long[] shape, DetectorSettings settings) {
        boolean image = shape.length >= 3;
        int last = settings.channelsLast() == null ? 0 : 1;
        return image && shape[shape.length - 2 - last] >= settings.medianWindow()
                && shape[shape.length - 1 - last] >= settings.medianWindow() ? 3 : 2;
    }

    /** The inspection of {@code request}, whose decoded input is {@code input}. */
    public static SqueezingInspection of(JsonNode request, InputRows decoded, DetectorSettings settings) {
        float[] values = decoded.values();
        long[] shape = decoded.shape();
        int n = decoded.rows();
        int features = decoded.features();
        boolean image = shape.length >= 3;
        // Channels last ([N, H, W, C]): height and width are the two dimensions before the channels.
        int last = settings.channelsLast() == null ? 0 : 1;
        int height = image ? (int) shape[shape.length - 2 - last] : 0;
        int width = image ? (int) shape[shape.length - 1 - last] : 0;
        int channels = image ? features / (height * width) : 0;
        int copies = copies(shape, settings);
        boolean smooth = copies == 3;

        float[] augmented = new float[values.length * copies];
        System.arraycopy(values, 0, augmented, 0, values.length);
        float[] row = new float[features];
        for (int i = 0; i < n; i++) {
            System.arraycopy(values, i * features, row, 0, features);
            System.arraycopy(settings.squeezeBitDepth(row), 0, augmented, values.length + i * features, features);
            if (smooth) {
                System.arraycopy(settings.modelLayout(Squeezers.median(settings.channelsFirst(row), channels, height, width,
                        settings.medianWindow())), 0, augmented,
                        2 * values.length + i * features, features);
            }
        }
        return new SqueezingInspection(request, shape, n, copies, augmented);
    }

    /**
     * The request with the rows and their squeezed copies, in one batch of rows × {@link #copies} rows;
     * {@code binary}: as binary data (no JSON floats on the way), for a model server that takes it.
     */
    public JsonNode augmentedRequest(boolean binary) {
        return withRows(0, rows * copies, binary);
    }

    /**
     * The squeezed copies alone, for scoring after the client has had the model's answer ({@link #scores});
     * with {@code binary}, sent and answered in binary, since only the sidecar reads it.
     */
    public JsonNode copiesRequest(boolean binary) {
        ObjectNode copiesRequest = withRows(rows, rows * (copies - 1), binary);
        if (binary) {
            copiesRequest.withObject("parameters").put(BinaryTensors.BINARY_DATA_OUTPUT, true);
        }
        return copiesRequest;
    }

    /** The request with {@code count} rows from {@code fromRow}, as binary data or JSON numbers. */
    private ObjectNode withRows(int fromRow, int count, boolean binary) {
        int features = augmented.length / (rows * copies);
        float[] data = java.util.Arrays.copyOfRange(augmented, fromRow * features, (fromRow + count) * features);
        ObjectNode copy = request.deepCopy();
        ObjectNode input = (ObjectNode) copy.withArray("inputs").get(0);
        ArrayNode newShape = input.putArray("shape").add((long) count);
        for (int d = 1; d < shape.length; d++) {
            newShape.add(shape[d]);
        }
        input.put("datatype", "FP32");
        if (binary) {
            input.set("data", BinaryTensors.fp32("input", new long[] {data.length}, data).data());
        } else {
            ArrayNode numbers = input.putArray("data");
            for (float v : data) {
                numbers.add(v);
            }
        }
        return copy;
    }

    /**
     * Scores from the model's answer to the rows and its answer to {@link #copiesRequest()}: the first
     * output of each, [n, classes] and [(copies − 1)·n, classes].
     */
    public double[] scores(JsonNode rowsAnswer, JsonNode copiesAnswer) {
        JsonNode original = firstOutputData(rowsAnswer, rows);
        JsonNode squeezedData = firstOutputData(copiesAnswer, rows * (copies - 1));
        int classes = original.size() / rows;
        if (classes == 0 || squeezedData.size() != (long) rows * (copies - 1) * classes) {
            throw new IllegalStateException("the model server's answers to the rows and their copies disagree in size");
        }
        double[] scores = new double[rows];
        for (int i = 0; i < rows; i++) {
            float[][] squeezed = new float[copies - 1][];
            for (int c = 1; c < copies; c++) {
                squeezed[c - 1] = row(squeezedData, (c - 1) * rows + i, classes);
            }
            scores[i] = Squeezers.score(row(original, i, classes), squeezed);
        }
        return scores;
    }

    private static JsonNode firstOutputData(JsonNode answer, long expectedRows) {
        JsonNode output = answer.path("outputs").path(0);
        JsonNode data = output.path("data");
        if (output.path("shape").path(0).asLong() != expectedRows || !data.isArray()) {
            throw new IllegalStateException("the model server answered " + output.path("shape") + " rows for " + expectedRows);
        }
        return data;
    }

    /** The client's answer (every output cut back to its n rows) and a score per row. */
    public record Outcome(JsonNode clientResponse, double[] scores) {
    }

    /** Splits the upstream answer to the augmented request; the first output holds the scores. */
    public Outcome split(JsonNode upstreamResponse) {
        ObjectNode client = upstreamResponse.deepCopy();
        JsonNode outputs = client.path("outputs");
        if (!outputs.isArray() || outputs.isEmpty()) {
            throw new IllegalStateException("the model server's answer has no outputs");
        }
        double[] scores = null;
        for (JsonNode o : outputs) {
            ObjectNode output = (ObjectNode) o;
            JsonNode shape = output.path("shape");
            JsonNode data = output.path("data");
            if (!shape.isArray() || shape.isEmpty() || shape.get(0).asLong() != (long) rows * copies || !data.isArray()) {
                throw new IllegalStateException("the model server answered " + shape + " rows for " + rows * copies);
            }
            int perRow = data.size() / (rows * copies);
            if (scores == null) {
                scores = scores(data, perRow);
            }
            ArrayNode kept = output.putArray("data");
            for (int i = 0; i < rows * perRow; i++) {
                kept.add(data.get(i));
            }
            ((ArrayNode) output.withArray("shape")).set(0, rows);
        }
        return new Outcome(client, scores);
    }

    private double[] scores(JsonNode data, int classes) {
        double[] scores = new double[rows];
        for (int i = 0; i < rows; i++) {
            float[] original = row(data, i, classes);
            float[][] squeezed = new float[copies - 1][];
            for (int c = 1; c < copies; c++) {
                squeezed[c - 1] = row(data, c * rows + i, classes);
            }
            scores[i] = Squeezers.score(original, squeezed);
        }
        return scores;
    }

    private static float[] row(JsonNode data, int row, int width) {
        float[] r = new float[width];
        for (int k = 0; k < width; k++) {
            r[k] = (float) data.get(row * width + k).asDouble();
        }
        return r;
    }
}
