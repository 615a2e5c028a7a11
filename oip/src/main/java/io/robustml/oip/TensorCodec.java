package io.robustml.oip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Decodes JSON tensor data against its declared shape and datatype, and encodes results. */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** Number of elements of a shape; rejects negative dimensions and products beyond {@code maxElements}. */
    public static int elementCount(long[] shape, long maxElements) {
        if (shape == null || shape.length == 0) {
            throw new InvalidTensorException("shape is required");
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new InvalidTensorException("shape dimensions must be >= 0, got " + java.util.Arrays.toString(shape));
            }
            count *= d;
            if (count > maxElements) {
                throw new InvalidTensorException("tensor of shape " + java.util.Arrays.toString(shape)
                        + " exceeds the limit of " + maxElements + " elements");
            }
        }
        return (int) count;
    }

    /**
     * The tensor's data as float32 values, row-major. Accepts FP32, FP64, FP16 (as JSON numbers) and
     * integer datatypes; the element count must equal the shape's.
     */
    public static float[] toFloats(Tensor t, long maxElements) {
        int expected = elementCount(t.shape(), maxElements);
        String type = t.datatype() == null ? "" : t.datatype();
        switch (type) {
            case "FP32", "FP64", "FP16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64" -> {
            }
            default -> throw new InvalidTensorException("input '" + t.name() + "': datatype '" + type
                    + "' cannot be used as numbers (expected FP32, FP64, FP16 or an integer type)");
        }
        if (t.data() == null || !t.data().isArray()) {
            throw new InvalidTensorException("input '" + t.name() + "': data must be a JSON array");
        }
        float[] out = new float[expected];
        int[] written = {0};
        flatten(t.data(), out, written, t.name(), type.startsWith("FP"));
        if (written[0] != expected) {
            throw new InvalidTensorException("input '" + t.name() + "': shape " + java.util.Arrays.toString(t.shape())
                    + " needs " + expected + " values but data has " + written[0]);
        }
        return out;
    }

    private static void flatten(JsonNode node, float[] out, int[] pos, String name, boolean floating) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(v, out, pos, name, floating);
                continue;
            }
            if (!v.isNumber() || (!floating && !v.isIntegralNumber())) {
                throw new InvalidTensorException("input '" + name + "': element " + pos[0] + " is " + v
                        + ", not " + (floating ? "a number" : "an integer"));
            }
            if (pos[0] >= out.length) {
                pos[0]++;
                continue; // keep counting so the error names the real length
            }
            out[pos[0]++] = v.floatValue();
        }
    }

    /** A flat JSON array of float32 values. */
    public static ArrayNode toJson(float[] values) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode(values.length);
        for (float v : values) {
            array.add(v);
        }
        return array;
    }

    /** A flat JSON array of int64 values. */
    public static ArrayNode toJson(long[] values) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode(values.length);
        for (long v : values) {
            array.add(v);
        }
        return array;
    }
}
