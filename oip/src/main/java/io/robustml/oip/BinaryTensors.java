package io.robustml.oip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BinaryNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary tensor data extension of the v2 REST protocol, as Triton and KServe define it: a body is
 * a JSON header of {@code Inference-Header-Content-Length} bytes followed by the raw tensor data of
 * every tensor whose {@code parameters.binary_data_size} says so, in the order of the tensors,
 * little-endian, row-major, without padding (BOOL: one byte, 0 or 1).
 *
 * <p>Decoded binary tensors are ordinary {@link Tensor}s whose {@code data} is a {@link BinaryNode}
 * holding exactly their bytes ({@code binary_data_size} is removed from their parameters, since the
 * bytes say it); {@link TensorCodec#toFloats} reads them like JSON data, so there is one decoding path
 * for both formats. {@link #encode} writes such tensors back as binary.
 *
 * <p>All sizes are checked against the shape, the datatype and the body before anything is copied.
 */
public final class BinaryTensors {
    /** The HTTP header giving the length of the JSON part of a body that carries binary tensors. */
    public static final String HEADER = "Inference-Header-Content-Length";
    /** Per tensor: the size of its binary data in bytes. */
    public static final String BINARY_DATA_SIZE = "binary_data_size";
    /** Per requested output: return it as binary. */
    public static final String BINARY_DATA = "binary_data";
    /** Per request: return every output as binary (a requested output's own {@code binary_data} wins). */
    public static final String BINARY_DATA_OUTPUT = "binary_data_output";
    /** What a server supporting the extension lists in its metadata's {@code extensions}. */
    public static final String EXTENSION = "binary_tensor_data";

    private BinaryTensors() {
    }

    /** Whether a server's metadata ({@code GET /v2}) lists the extension; an optional one, so absent means no. */
    public static boolean listedIn(JsonNode serverMetadata) {
        for (JsonNode e : serverMetadata.path("extensions")) {
            if (EXTENSION.equals(e.asText())) {
                return true;
            }
        }
        return false;
    }

    /** A body to send: the bytes, and the JSON header's length, or -1 for a plain JSON body (no header). */
    public record Encoded(byte[] body, int headerLength) {
        public boolean binary() {
            return headerLength >= 0;
        }
    }

    /**
     * Bytes per element of a fixed-size datatype of the protocol.
     *
     * @throws InvalidTensorException for BYTES (variable size, no numbers) and unknown datatypes
     */
    public static int elementSize(String datatype) {
        return switch (datatype == null ? "" : datatype) {
            case "BOOL", "UINT8", "INT8" -> 1;
            case "UINT16", "INT16", "FP16", "BF16" -> 2;
            case "UINT32", "INT32", "FP32" -> 4;
            case "UINT64", "INT64", "FP64" -> 8;
            case "BYTES" -> throw new InvalidTensorException("datatype BYTES is not supported as binary tensor data here");
            default -> throw new InvalidTensorException("unknown datatype '" + datatype + "'");
        };
    }

    /** Whether the tensor's data is raw bytes (the binary extension) rather than JSON values. */
    public static boolean isBinary(Tensor t) {
        return t != null && t.data() != null && t.data().isBinary();
    }

    /** The raw little-endian bytes of a binary tensor. */
    public static byte[] bytes(Tensor t) {
        if (!isBinary(t)) {
            throw new InvalidTensorException("tensor '" + t.name() + "' has no binary data");
        }
        return ((BinaryNode) t.data()).binaryValue();
    }

    /** An FP32 tensor carried as binary data. */
    public static Tensor fp32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(name, shape, "FP32", null, new BinaryNode(b.array()));
    }

    /** An INT64 tensor carried as binary data. */
    public static Tensor int64(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(name, shape, "INT64", null, new BinaryNode(b.array()));
    }

    /** A tensor of any fixed-size datatype from its raw little-endian bytes (sizes checked). */
    public static Tensor of(String name, long[] shape, String datatype, byte[] littleEndian) {
        long expected = byteSize(name, shape, datatype, littleEndian.length);
        if (expected != littleEndian.length) {
            throw new InvalidTensorException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + datatype + " needs " + (expected < 0 ? "more than " + littleEndian.length : String.valueOf(expected))
                    + " bytes, got " + littleEndian.length);
        }
        return new Tensor(name, shape, datatype, null, new BinaryNode(littleEndian));
    }

    /** INT64 values of a tensor, binary or JSON. */
    public static long[] toLongs(Tensor t) {
        if (!"INT64".equals(t.datatype())) {
            throw new InvalidTensorException("tensor '" + t.name() + "' is " + t.datatype() + ", not INT64");
        }
        int n = TensorCodec.elementCount(t.shape(), Integer.MAX_VALUE);
        long[] out = new long[n];
        if (isBinary(t)) {
            byte[] raw = bytes(t);
            if (raw.length != n * 8L) {
                throw new InvalidTensorException("tensor '" + t.name() + "': shape " + Arrays.toString(t.shape())
                        + " of INT64 needs " + n * 8L + " bytes, got " + raw.length);
            }
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }
        int i = 0;
        for (JsonNode v : t.data()) {
            if (i == n || !v.isIntegralNumber()) {
                throw new InvalidTensorException("tensor '" + t.name() + "': data does not match shape "
                        + Arrays.toString(t.shape()) + " of INT64");
            }
            out[i++] = v.longValue();
        }
        if (i != n) {
            throw new InvalidTensorException("tensor '" + t.name() + "': shape " + Arrays.toString(t.shape())
                    + " needs " + n + " values but data has " + i);
        }
        return out;
    }

    /**
     * Parses an inference request body. Without the header the whole body is JSON (and no input may
     * declare {@code binary_data_size}); with it, the first {@code headerLength} bytes are JSON and the
     * rest is exactly the binary data the inputs declare.
     *
     * @param headerLength the {@code Inference-Header-Content-Length} header's value, or null
     * @throws JsonProcessingException when the JSON part is malformed
     * @throws InvalidTensorException when the header, the sizes or a datatype are wrong
     */
    public static InferenceRequest decodeRequest(byte[] body, String headerLength, ObjectMapper json)
            throws JsonProcessingException {
        int jsonLength = jsonLength(body, headerLength);
        InferenceRequest r = readJson(body, jsonLength, json, InferenceRequest.class);
        if (r == null) {
            return null;
        }
        List<Tensor> inputs = attach(r.inputs(), body, jsonLength, headerLength != null, "input");
        return inputs == r.inputs() ? r : new InferenceRequest(r.id(), r.parameters(), inputs, r.outputs());
    }

    /** Parses an inference response body, the client's side of {@link #decodeRequest}. */
    public static InferenceResponse decodeResponse(byte[] body, String headerLength, ObjectMapper json)
            throws JsonProcessingException {
        int jsonLength = jsonLength(body, headerLength);
        InferenceResponse r = readJson(body, jsonLength, json, InferenceResponse.class);
        if (r == null) {
            return null;
        }
        List<Tensor> outputs = attach(r.outputs(), body, jsonLength, headerLength != null, "output");
        return outputs == r.outputs() ? r
                : new InferenceResponse(r.modelName(), r.modelVersion(), r.id(), r.parameters(), outputs);
    }

    /** Writes a request: binary tensors after the JSON header, JSON ones inline. */
    public static Encoded encode(InferenceRequest r, ObjectMapper json) throws JsonProcessingException {
        List<byte[]> chunks = new ArrayList<>();
        List<Tensor> inputs = detach(r.inputs(), chunks);
        if (chunks.isEmpty()) {
            return new Encoded(json.writeValueAsBytes(r), -1);
        }
        return join(json.writeValueAsBytes(new InferenceRequest(r.id(), r.parameters(), inputs, r.outputs())), chunks);
    }

    /** Writes a response: binary tensors after the JSON header, JSON ones inline. */
    public static Encoded encode(InferenceResponse r, ObjectMapper json) throws JsonProcessingException {
        List<byte[]> chunks = new ArrayList<>();
        List<Tensor> outputs = detach(r.outputs(), chunks);
        if (chunks.isEmpty()) {
            return new Encoded(json.writeValueAsBytes(r), -1);
        }
        return join(json.writeValueAsBytes(new InferenceResponse(r.modelName(), r.modelVersion(), r.id(),
                r.parameters(), outputs)), chunks);
    }

    /**
     * Whether the requested output {@code name} is to be returned as binary: its own
     * {@code binary_data} if it sets one, else the request's {@code binary_data_output}, else false.
     *
     * @throws InvalidTensorException when either parameter is not a boolean
     */
    public static boolean wantsBinary(InferenceRequest request, String name) {
        if (request.outputs() != null) {
            for (InferenceRequest.RequestedOutput o : request.outputs()) {
                if (o != null && name.equals(o.name()) && o.parameters() != null
                        && o.parameters().get(BINARY_DATA) != null) {
                    return bool(o.parameters().get(BINARY_DATA), "output '" + name + "' parameter " + BINARY_DATA);
                }
            }
        }
        Object all = request.parameters() == null ? null : request.parameters().get(BINARY_DATA_OUTPUT);
        return all != null && bool(all, "request parameter " + BINARY_DATA_OUTPUT);
    }

    private static boolean bool(Object value, String what) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new InvalidTensorException(what + " must be true or false, got " + value);
    }

    static int jsonLength(byte[] body, String headerLength) {
        if (headerLength == null) {
            return body.length;
        }
        long n;
        try {
            n = Long.parseLong(headerLength.trim());
        } catch (NumberFormatException e) {
            throw new InvalidTensorException(HEADER + " must be a byte count, got '" + headerLength + "'");
        }
        if (n < 0 || n > body.length) {
            throw new InvalidTensorException(HEADER + " " + n + " is " + (n < 0 ? "negative" : "past the end of the body ("
                    + body.length + " bytes)"));
        }
        return (int) n;
    }

    private static <T> T readJson(byte[] body, int length, ObjectMapper json, Class<T> type) throws JsonProcessingException {
        try {
            return json.readValue(body, 0, length, type);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new InvalidTensorException("unreadable JSON header: " + e.getMessage());
        }
    }

    /** Replaces each tensor that declares binary_data_size by one holding its bytes; checks every size. */
    static List<Tensor> attach(List<Tensor> tensors, byte[] body, int offset, boolean header, String kind) {
        if (tensors == null) {
            if (offset != body.length) {
                throw new InvalidTensorException((body.length - offset) + " bytes follow the JSON header but no "
                        + kind + " declares " + BINARY_DATA_SIZE);
            }
            return null;
        }
        List<Tensor> out = new ArrayList<>(tensors.size());
        boolean changed = false;
        int pos = offset;
        for (Tensor t : tensors) {
            Object declared = t == null || t.parameters() == null ? null : t.parameters().get(BINARY_DATA_SIZE);
            if (declared == null) {
                out.add(t);
                continue;
            }
            String name = t.name();
            if (!header) {
                throw new InvalidTensorException(kind + " '" + name + "' declares " + BINARY_DATA_SIZE
                        + " but the request has no " + HEADER + " header");
            }
            if (!(declared instanceof Integer || declared instanceof Long) || ((Number) declared).longValue() < 0) {
                throw new InvalidTensorException(kind + " '" + name + "': " + BINARY_DATA_SIZE
                        + " must be a non-negative integer, got " + declared);
            }
            if (t.data() != null) {
                throw new InvalidTensorException(kind + " '" + name + "' has both data and " + BINARY_DATA_SIZE);
            }
            long size = ((Number) declared).longValue();
            int remaining = body.length - pos;
            if (size > remaining) {
                throw new InvalidTensorException(kind + " '" + name + "': " + BINARY_DATA_SIZE + " " + size
                        + " runs past the end of the body (" + remaining + " bytes of tensor data left)");
            }
            long needed = byteSize(name, t.shape(), t.datatype(), Integer.MAX_VALUE);
            if (needed != size) {
                throw new InvalidTensorException(kind + " '" + name + "': shape " + Arrays.toString(t.shape()) + " of "
                        + t.datatype() + " needs " + (needed < 0 ? "more than " + Integer.MAX_VALUE : String.valueOf(needed))
                        + " bytes but " + BINARY_DATA_SIZE + " is " + size);
            }
            Map<String, Object> params = new LinkedHashMap<>(t.parameters());
            params.remove(BINARY_DATA_SIZE);
            out.add(new Tensor(name, t.shape(), t.datatype(), params.isEmpty() ? null : params,
                    new BinaryNode(Arrays.copyOfRange(body, pos, pos + (int) size))));
            pos += (int) size;
            changed = true;
        }
        if (pos != body.length) {
            throw new InvalidTensorException((body.length - pos) + " bytes follow the declared tensor data ("
                    + (pos - offset) + " bytes declared by " + BINARY_DATA_SIZE + ", " + (body.length - offset)
                    + " sent after the JSON header)");
        }
        return changed ? out : tensors;
    }

    /**
     * shape × element size in bytes, or -1 when it exceeds {@code limit} (so a lying shape can never
     * overflow or allocate).
     */
    static long byteSize(String name, long[] shape, String datatype, long limit) {
        int element;
        try {
            element = elementSize(datatype);
        } catch (InvalidTensorException e) {
            throw new InvalidTensorException("tensor '" + name + "': " + e.getMessage());
        }
        if (shape == null) {
            throw new InvalidTensorException("tensor '" + name + "': shape is required");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new InvalidTensorException("tensor '" + name + "': shape dimensions must be >= 0, got "
                        + Arrays.toString(shape));
            }
            if (d == 0) {
                return 0;
            }
        }
        long bytes = element;
        for (long d : shape) {
            if (bytes > limit / d) {
                return -1;
            }
            bytes *= d;
        }
        return bytes;
    }

    private static List<Tensor> detach(List<Tensor> tensors, List<byte[]> chunks) {
        if (tensors == null) {
            return null;
        }
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            if (!isBinary(t)) {
                out.add(t);
                continue;
            }
            byte[] raw = bytes(t);
            Map<String, Object> params = t.parameters() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(t.parameters());
            params.put(BINARY_DATA_SIZE, raw.length);
            out.add(new Tensor(t.name(), t.shape(), t.datatype(), params, null));
            chunks.add(raw);
        }
        return out;
    }

    private static Encoded join(byte[] header, List<byte[]> chunks) {
        int total = header.length;
        for (byte[] c : chunks) {
            total += c.length;
        }
        byte[] body = Arrays.copyOf(header, total);
        int pos = header.length;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, body, pos, c.length);
            pos += c.length;
        }
        return new Encoded(body, header.length);
    }
}
