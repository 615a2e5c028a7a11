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
        long limit = Math.min(maxElements, Integer.MAX_VALUE); // the count is an array length
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new InvalidTensorException("shape dimensions must be >= 0, got " + java.util.Arrays.toString(shape));
            }
            // Checked before multiplying: a product past Long.MAX_VALUE would wrap to a small or negative count.
            if (d != 0 && count > limit / d) {
                throw new InvalidTensorException("tensor of shape " + java.util.Arrays.toString(shape)
                        + " exceeds the limit of " + limit + " elements");
            }
            count *= d;
        }
        return (int) count;
    }

    /** Refuses a datatype that {@link #toFloats} cannot read as numbers (BYTES, unknown names). */
    public static void requireNumbers(String name, String datatype) {
        String type = datatype == null ? "" : datatype;
        switch (type) {
            case "FP32", "FP64", "FP16", "BF16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32",
                    "UINT64", "BOOL" -> {
            }
            default -> throw new InvalidTensorException("input '" + name + "': datatype '" + type
                    + "' cannot be used as numbers (expected FP32, FP64, FP16, BF16, BOOL or an integer type)");
        }
    }

    /**
     * The tensor's data as float32 values, row-major. Accepts FP32, FP64, FP16, BF16, the integer
     * datatypes and BOOL (as 0 and 1); the element count must equal the shape's. The data is either
     * JSON (flat or nested arrays; BOOL as true/false) or, for the binary tensor data extension, a
     * {@link com.fasterxml.jackson.databind.node.BinaryNode} of little-endian bytes
     * ({@link BinaryTensors}): both are read here, into the same values.
     */
    public static float[] toFloats(Tensor t, long maxElements) {
        int expected = elementCount(t.shape(), maxElements);
        String type = t.datatype() == null ? "" : t.datatype();
        requireNumbers(t.name(), type);
        if (t.data() != null && t.data().isBinary()) {
            return binaryToFloats(t, expected, type);
        }
        if (t.data() == null || !t.data().isArray()) {
            throw new InvalidTensorException("input '" + t.name() + "': data must be a JSON array");
        }
        float[] out = new float[expected];
        int[] written = {0};
        if ("BOOL".equals(type)) {
            flattenBooleans(t.data(), out, written, t.name());
        } else {
            flatten(t.data(), out, written, t.name(), type.startsWith("FP") || "BF16".equals(type));
        }
        if (written[0] != expected) {
            throw new InvalidTensorException("input '" + t.name() + "': shape " + java.util.Arrays.toString(t.shape())
                    + " needs " + expected + " values but data has " + written[0]);
        }
        return out;
    }

    private static float[] binaryToFloats(Tensor t, int expected, String type) {
        byte[] raw;
        try {
            raw = t.data().binaryValue();
        } catch (java.io.IOException e) {
            throw new InvalidTensorException("input '" + t.name() + "': unreadable binary data");
        }
        int size = BinaryTensors.elementSize(type);
        if (raw.length != (long) expected * size) {
            throw new InvalidTensorException("input '" + t.name() + "': shape " + java.util.Arrays.toString(t.shape())
                    + " of " + type + " needs " + (long) expected * size + " bytes but the binary data has " + raw.length);
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[expected];
        switch (type) {
            case "FP32" -> b.asFloatBuffer().get(out);
            case "FP64" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case "FP16" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case "BOOL" -> {
                for (int i = 0; i < expected; i++) {
                    byte v = raw[i];
                    if (v != 0 && v != 1) {
                        throw new InvalidTensorException("input '" + t.name() + "': BOOL element " + i + " is byte " + v
                                + ", not 0 or 1");
                    }
                    out[i] = v;
                }
            }
            case "INT8" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = raw[i];
                }
            }
            case "UINT8" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = raw[i] & 0xff;
                }
            }
            case "INT16" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = b.getShort(i * 2);
                }
            }
            case "UINT16" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = b.getShort(i * 2) & 0xffff;
                }
            }
            case "INT32" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            case "UINT32" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = b.getInt(i * 4) & 0xffffffffL;
                }
            }
            case "INT64" -> {
                for (int i = 0; i < expected; i++) {
                    out[i] = b.getLong(i * 8);
                }
            }
            case "UINT64" -> {
                for (int i = 0; i < expected; i++) {
                    long v = b.getLong(i * 8);
                    out[i] = v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2f;
                }
            }
            default -> throw new InvalidTensorException("input '" + t.name() + "': datatype '" + type
                    + "' cannot be used as numbers");
        }
        if (type.startsWith("FP") || "BF16".equals(type)) {
            for (int i = 0; i < expected; i++) {
                if (!Float.isFinite(out[i])) {
                    // JSON cannot carry NaN or infinities either; a model fed them answers nonsense.
                    throw new InvalidTensorException("input '" + t.name() + "': element " + i + " is " + out[i]
                            + ", not a finite number");
                }
            }
        }
        return out;
    }

    /** IEEE 754 half precision to float (exact: every half value is a float). */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float v = mantissa * 0x1p-24f; // zero or subnormal
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void flattenBooleans(JsonNode node, float[] out, int[] pos, String name) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flattenBooleans(v, out, pos, name);
                continue;
            }
            if (!v.isBoolean()) {
                throw new InvalidTensorException("input '" + name + "': element " + pos[0] + " is " + v
                        + ", not true or false");
            }
            if (pos[0] >= out.length) {
                pos[0]++;
                continue;
            }
            out[pos[0]++] = v.booleanValue() ? 1f : 0f;
        }
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
            float f = v.floatValue();
            if (!Float.isFinite(f)) { // 1e39 is a JSON number but no float: a model fed +Inf answers NaN
                throw new InvalidTensorException("input '" + name + "': element " + pos[0] + " is " + v
                        + ", beyond the range of a 32-bit float");
            }
            out[pos[0]++] = f;
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
