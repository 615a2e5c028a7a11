package io.robustml.sidecar.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.InferenceResponse;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.Tensor;
import io.robustml.oip.TensorCodec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The sidecar's side of the binary tensor data extension, on top of the shared codec
 * ({@link BinaryTensors}). Requests are read into the JSON tree the detectors already work on, a binary
 * input keeping its bytes as a {@link BinaryNode} (so {@link TensorCodec#toFloats} decodes it exactly as
 * JSON data: one path into the same tensor). Answers the sidecar must read (squeezing, extraction,
 * hardening, fallback) are turned into JSON numbers, worked on, and written back in the format the
 * caller asked for ({@code binary_data}, {@code binary_data_output}).
 */
final class WireFormat {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private WireFormat() {
    }

    /** A body with its {@code Inference-Header-Content-Length}, or null for plain JSON. */
    record Body(byte[] bytes, String headerLength) {
        static Body of(BinaryTensors.Encoded e) {
            return new Body(e.body(), e.binary() ? Integer.toString(e.headerLength()) : null);
        }
    }

    /**
     * The request as a JSON tree. With the header the body is split and checked by
     * {@link BinaryTensors#decodeRequest} (every size before anything is copied); binary inputs have a
     * {@link BinaryNode} as data and no {@code binary_data_size}.
     *
     * @throws InvalidTensorException for a binary framing that does not add up
     */
    static JsonNode readRequest(ObjectMapper json, byte[] body, String headerLength) throws java.io.IOException {
        if (headerLength == null) {
            return json.readTree(body);
        }
        InferenceRequest r = BinaryTensors.decodeRequest(body, headerLength, json);
        return r == null ? null : json.valueToTree(r);
    }

    /**
     * What a request says about its inputs — their number, and the first one's name, datatype and shape —
     * read with a streaming parser that skips the tensor data (never built, its numbers never parsed);
     * for a binary body only its JSON header is read. Null when the body is not a JSON object with an
     * {@code inputs} array (the model server answers it with a 400).
     */
    static RequestHead head(ObjectMapper json, byte[] body, String headerLength) {
        int length = body.length;
        if (headerLength != null) {
            try {
                length = Math.min(body.length, Math.max(0, Integer.parseInt(headerLength.trim())));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try (JsonParser p = json.getFactory().createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            RequestHead head = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("inputs".equals(field) && value == JsonToken.START_ARRAY) {
                    head = inputs(p);
                } else {
                    p.skipChildren();
                }
            }
            return head;
        } catch (java.io.IOException | RuntimeException e) {
            return null; // malformed: the model server refuses it
        }
    }

    private static RequestHead inputs(JsonParser p) throws java.io.IOException {
        int count = 0;
        String name = null;
        String datatype = null;
        long[] shape = null;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                count++;
                continue;
            }
            boolean first = count++ == 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (first && "name".equals(field) && value == JsonToken.VALUE_STRING) {
                    name = p.getText();
                } else if (first && "datatype".equals(field) && value == JsonToken.VALUE_STRING) {
                    datatype = p.getText();
                } else if (first && "shape".equals(field) && value == JsonToken.START_ARRAY) {
                    shape = shape(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new RequestHead(count, name, datatype, shape);
    }

    /** The shape's dimensions; null when one is not an integer (the model server refuses it). */
    private static long[] shape(JsonParser p) throws java.io.IOException {
        long[] dims = new long[8];
        int n = 0;
        boolean integers = true;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                integers = false;
                p.skipChildren();
                continue;
            }
            if (n == dims.length) {
                dims = java.util.Arrays.copyOf(dims, n * 2);
            }
            dims[n++] = p.getLongValue();
        }
        return integers ? java.util.Arrays.copyOf(dims, n) : null;
    }

    /** The first input's {@code shape[0]}: the rows a request costs its client; 1 when the body does not say. */
    static long batchRows(ObjectMapper json, byte[] body, String headerLength) {
        RequestHead head = head(json, body, headerLength);
        return head == null ? 1 : head.rows();
    }

    /** Whether any input of the request tree carries binary data. */
    static boolean hasBinaryInputs(JsonNode request) {
        for (JsonNode in : request.path("inputs")) {
            if (in.path("data").isBinary()) {
                return true;
            }
        }
        return false;
    }

    /** A request tree as a body: plain JSON, or the binary framing when an input holds bytes. */
    static Body writeRequest(ObjectMapper json, JsonNode request) throws JsonProcessingException {
        if (!hasBinaryInputs(request)) {
            return new Body(json.writeValueAsBytes(request), null);
        }
        return Body.of(BinaryTensors.encode(json.treeToValue(request, InferenceRequest.class), json));
    }

    /** An answer (JSON or binary framing) as a JSON tree whose every output has JSON numbers as data. */
    static JsonNode readResponse(ObjectMapper json, byte[] body, String headerLength) throws java.io.IOException {
        if (headerLength == null) {
            return json.readTree(body);
        }
        InferenceResponse r = BinaryTensors.decodeResponse(body, headerLength, json);
        if (r == null) {
            throw new InvalidTensorException("empty answer");
        }
        ObjectNode tree = json.valueToTree(r);
        ArrayNode outputs = (ArrayNode) tree.path("outputs");
        for (int i = 0; r.outputs() != null && i < r.outputs().size(); i++) {
            Tensor t = r.outputs().get(i);
            if (BinaryTensors.isBinary(t)) {
                ((ObjectNode) outputs.get(i)).set("data", numbers(t));
            }
        }
        return tree;
    }

    /**
     * The answer in the caller's format: outputs the request wants as binary are written as bytes after
     * the JSON header; without any, plain JSON. An output whose datatype has no binary form here (or whose
     * data does not fit its shape) stays JSON, which the protocol allows and clients read.
     */
    static Body writeResponse(ObjectMapper json, JsonNode answer, JsonNode request) throws JsonProcessingException {
        if (request == null || !(answer.path("outputs") instanceof ArrayNode outputs) || outputs.isEmpty()) {
            return new Body(json.writeValueAsBytes(answer), null);
        }
        ObjectNode copy = null;
        for (int i = 0; i < outputs.size(); i++) {
            JsonNode o = outputs.get(i);
            if (!wantsBinary(request, o.path("name").asText("")) || !o.path("data").isArray()) {
                continue;
            }
            byte[] raw = bytes(o);
            if (raw == null) {
                continue;
            }
            if (copy == null) {
                copy = answer.deepCopy();
            }
            ObjectNode out = (ObjectNode) copy.withArray("outputs").get(i);
            out.set("data", new BinaryNode(raw));
        }
        if (copy == null) {
            return new Body(json.writeValueAsBytes(answer), null);
        }
        return Body.of(BinaryTensors.encode(json.treeToValue(copy, InferenceResponse.class), json));
    }

    /**
     * {@link BinaryTensors#wantsBinary} on the request tree: the output's own {@code binary_data}, else
     * the request's {@code binary_data_output}, else JSON. Non-boolean values (which the model server
     * refuses) count as false.
     */
    static boolean wantsBinary(JsonNode request, String name) {
        for (JsonNode o : request.path("outputs")) {
            JsonNode own = o.path("parameters").path(BinaryTensors.BINARY_DATA);
            if (name.equals(o.path("name").asText(null)) && own.isBoolean()) {
                return own.booleanValue();
            }
        }
        return request.path("parameters").path(BinaryTensors.BINARY_DATA_OUTPUT).asBoolean(false);
    }

    /** Whether the request asks for any output as binary. */
    static boolean wantsAnyBinary(JsonNode request) {
        if (request.path("parameters").path(BinaryTensors.BINARY_DATA_OUTPUT).asBoolean(false)) {
            return true;
        }
        for (JsonNode o : request.path("outputs")) {
            if (o.path("parameters").path(BinaryTensors.BINARY_DATA).asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    /** The exact values of a binary tensor as a flat JSON array. */
    static ArrayNode numbers(Tensor t) {
        byte[] raw = BinaryTensors.bytes(t);
        String type = t.datatype();
        int n = TensorCodec.elementCount(t.shape(), Integer.MAX_VALUE);
        int size = BinaryTensors.elementSize(type);
        if ((long) n * size != raw.length) {
            throw new InvalidTensorException("output '" + t.name() + "': " + raw.length + " bytes for " + n + " " + type);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        ArrayNode out = F.arrayNode(n);
        switch (type) {
            case "FP32" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getFloat(i * 4));
                }
            }
            case "FP64" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getDouble(i * 8));
                }
            }
            case "FP16", "BF16" -> {
                for (float v : TensorCodec.toFloats(t, Integer.MAX_VALUE)) {
                    out.add(v);
                }
            }
            case "BOOL" -> {
                for (int i = 0; i < n; i++) {
                    out.add(raw[i] != 0);
                }
            }
            case "INT8" -> {
                for (int i = 0; i < n; i++) {
                    out.add(raw[i]);
                }
            }
            case "UINT8" -> {
                for (int i = 0; i < n; i++) {
                    out.add(raw[i] & 0xff);
                }
            }
            case "INT16" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getShort(i * 2));
                }
            }
            case "UINT16" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getShort(i * 2) & 0xffff);
                }
            }
            case "INT32" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getInt(i * 4));
                }
            }
            case "UINT32" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getInt(i * 4) & 0xffffffffL);
                }
            }
            case "INT64" -> {
                for (int i = 0; i < n; i++) {
                    out.add(b.getLong(i * 8));
                }
            }
            case "UINT64" -> {
                for (int i = 0; i < n; i++) {
                    long v = b.getLong(i * 8);
                    out.add(v >= 0 ? F.numberNode(v) : F.numberNode(new BigInteger(Long.toUnsignedString(v))));
                }
            }
            default -> throw new InvalidTensorException("output '" + t.name() + "': datatype " + type + " has no binary form");
        }
        return out;
    }

    /**
     * An output's JSON data as little-endian bytes of its datatype, or null when it has no binary form
     * here (FP16, BF16, BYTES, unknown) or the data does not match the shape.
     */
    static byte[] bytes(JsonNode output) {
        String type = output.path("datatype").asText("");
        int size;
        try {
            size = BinaryTensors.elementSize(type);
        } catch (InvalidTensorException e) {
            return null;
        }
        if ("FP16".equals(type) || "BF16".equals(type)) {
            return null;
        }
        JsonNode s = output.path("shape");
        long count = 1;
        for (JsonNode d : s) {
            count *= d.asLong(-1);
            if (count < 0 || count > Integer.MAX_VALUE / 8) {
                return null;
            }
        }
        java.util.List<JsonNode> values = new java.util.ArrayList<>((int) count);
        flatten(output.path("data"), values);
        if (values.size() != count) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate((int) count * size).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode v : values) {
            if ("BOOL".equals(type) ? !v.isBoolean() : !v.isNumber()) {
                return null;
            }
            switch (type) {
                case "FP32" -> b.putFloat(v.floatValue());
                case "FP64" -> b.putDouble(v.doubleValue());
                case "BOOL" -> b.put((byte) (v.booleanValue() ? 1 : 0));
                case "INT8", "UINT8" -> b.put((byte) v.longValue());
                case "INT16", "UINT16" -> b.putShort((short) v.longValue());
                case "INT32", "UINT32" -> b.putInt((int) v.longValue());
                default -> b.putLong(v.isBigInteger() ? v.bigIntegerValue().longValue() : v.longValue());
            }
        }
        return b.array();
    }

    private static void flatten(JsonNode node, java.util.List<JsonNode> out) {
        for (JsonNode v : node) {
            if (v.isArray()) {
                flatten(v, out);
            } else {
                out.add(v);
            }
        }
    }
}
