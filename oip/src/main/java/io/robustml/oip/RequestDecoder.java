package io.robustml.oip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads an inference request body straight into float arrays: the JSON is parsed as a stream, and an
 * input's {@code data} goes from the parser into a {@code float[]} of the size its shape declares,
 * without a tree of boxed numbers in between (numbers are parsed as float32 directly, with Jackson's
 * fast parser). Binary tensor data (the extension) is read from the bytes after the JSON header.
 *
 * <p>The rules and messages are {@link TensorCodec#toFloats}'s and {@link BinaryTensors}'s; an input
 * whose {@code data} comes before its name, shape or datatype (allowed, rare) is read as a tree and
 * decoded by {@link TensorCodec#toFloats}. A caller's {@link InputCheck} sees each input's name, shape
 * and datatype before its data is read, so a request the model cannot take is refused unread.
 */
public final class RequestDecoder {
    private static final TypeReference<Map<String, Object>> PARAMETERS = new TypeReference<>() {
    };
    private static final TypeReference<List<InferenceRequest.RequestedOutput>> OUTPUTS = new TypeReference<>() {
    };

    private RequestDecoder() {
    }

    /** Checks an input's signature before its data is read; throws {@link InvalidTensorException} to refuse it. */
    @FunctionalInterface
    public interface InputCheck {
        InputCheck NONE = (index, name, shape, datatype) -> {
        };

        void check(int index, String name, long[] shape, String datatype);
    }

    /**
     * Decodes a request body; null for a body that is JSON {@code null}.
     *
     * @param headerLength the {@code Inference-Header-Content-Length} header's value, or null
     * @param maxElements the most elements any one input may have
     * @throws JsonProcessingException when the JSON is malformed or not a request object
     * @throws InvalidTensorException when a tensor, its data or the binary framing is wrong
     */
    public static DecodedRequest decode(byte[] body, String headerLength, ObjectMapper json, long maxElements,
            InputCheck check) throws JsonProcessingException {
        int jsonLength = BinaryTensors.jsonLength(body, headerLength);
        try (JsonParser p = json.getFactory().createParser(body, 0, jsonLength)) {
            p.enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
            JsonToken first = p.nextToken();
            if (first == JsonToken.VALUE_NULL) {
                return null;
            }
            if (first != JsonToken.START_OBJECT) {
                throw MismatchedInputException.from(p, InferenceRequest.class,
                        first == null ? "no content" : "an inference request is a JSON object, not " + first.asString());
            }
            Envelope request = new Envelope();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> request.id = json.readValue(p, String.class);
                    case "parameters" -> request.parameters = json.readValue(p, PARAMETERS);
                    case "outputs" -> request.outputs = json.readValue(p, OUTPUTS);
                    case "inputs" -> request.inputs = readInputs(p, value, json, maxElements, check);
                    default -> p.skipChildren();
                }
            }
            return request.finish(body, jsonLength, headerLength != null, maxElements, check);
        } catch (JsonProcessingException | InvalidTensorException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidTensorException("unreadable JSON: " + e.getMessage()); // a byte array never fails to read
        }
    }

    private static List<Input> readInputs(JsonParser p, JsonToken token, ObjectMapper json, long maxElements,
            InputCheck check) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token != JsonToken.START_ARRAY) {
            throw MismatchedInputException.from(p, List.class, "'inputs' must be an array of tensors");
        }
        List<Input> inputs = new ArrayList<>(1);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                inputs.add(null);
                continue;
            }
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw MismatchedInputException.from(p, Tensor.class, "a tensor is a JSON object");
            }
            inputs.add(readInput(p, json, inputs.size(), maxElements, check));
        }
        return inputs;
    }

    private static Input readInput(JsonParser p, ObjectMapper json, int index, long maxElements, InputCheck check)
            throws IOException {
        Input in = new Input();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> in.name = json.readValue(p, String.class);
                case "shape" -> in.shape = json.readValue(p, long[].class);
                case "datatype" -> in.datatype = json.readValue(p, String.class);
                case "parameters" -> in.parameters = json.readValue(p, PARAMETERS);
                case "data" -> {
                    in.hasData = p.currentToken() != JsonToken.VALUE_NULL;
                    if (!in.hasData) {
                        in.values = null;
                        in.tree = null;
                    } else if (in.name != null && in.shape != null && in.datatype != null) {
                        check.check(index, in.name, in.shape, in.datatype);
                        in.checked = true;
                        in.values = readData(p, json, in.name, in.shape, in.datatype, maxElements);
                        in.tree = null;
                    } else {
                        in.tree = json.readTree(p); // data before the signature: decoded once the object is read
                        in.values = null;
                    }
                }
                default -> p.skipChildren();
            }
        }
        return in;
    }

    /** An input's JSON data into floats: the element count, kind of number and range are TensorCodec's rules. */
    private static float[] readData(JsonParser p, ObjectMapper json, String name, long[] shape, String type,
            long maxElements) throws IOException {
        int expected = TensorCodec.elementCount(shape, maxElements);
        TensorCodec.requireNumbers(name, type);
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new InvalidTensorException("input '" + name + "': data must be a JSON array");
        }
        boolean bool = "BOOL".equals(type);
        boolean floating = type.startsWith("FP") || "BF16".equals(type);
        float[] out = new float[expected];
        int n = 0;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                depth++;
                continue;
            }
            if (t == JsonToken.END_ARRAY) {
                depth--;
                continue;
            }
            float v;
            if (bool) {
                if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                    throw new InvalidTensorException("input '" + name + "': element " + n + " is " + text(p, json)
                            + ", not true or false");
                }
                v = t == JsonToken.VALUE_TRUE ? 1f : 0f;
            } else {
                if (t != JsonToken.VALUE_NUMBER_INT && (t != JsonToken.VALUE_NUMBER_FLOAT || !floating)) {
                    throw new InvalidTensorException("input '" + name + "': element " + n + " is " + text(p, json)
                            + ", not " + (floating ? "a number" : "an integer"));
                }
                if (n >= expected) {
                    n++; // past the end: keep counting so the error names the real length
                    continue;
                }
                v = p.getFloatValue();
                if (!Float.isFinite(v)) { // 1e39 is a JSON number but no float: a model fed +Inf answers NaN
                    throw new InvalidTensorException("input '" + name + "': element " + n + " is " + p.getText()
                            + ", beyond the range of a 32-bit float");
                }
            }
            if (n < expected) {
                out[n] = v;
            }
            n++; // past the end: keep counting so the error names the real length
        }
        if (n != expected) {
            throw new InvalidTensorException("input '" + name + "': shape " + Arrays.toString(shape) + " needs "
                    + expected + " values but data has " + n);
        }
        return out;
    }

    /** The offending element as JSON, as the tree decoder prints it. */
    private static String text(JsonParser p, ObjectMapper json) throws IOException {
        JsonNode node = json.readTree(p);
        return String.valueOf(node);
    }

    /** A tensor being read. */
    private static final class Input {
        String name;
        long[] shape;
        String datatype;
        Map<String, Object> parameters;
        boolean hasData;
        boolean checked;
        float[] values;
        JsonNode tree;

        Tensor envelope() {
            return new Tensor(name, shape, datatype, parameters, null);
        }
    }

    /** The request being read. */
    private static final class Envelope {
        String id;
        Map<String, Object> parameters;
        List<Input> inputs;
        List<InferenceRequest.RequestedOutput> outputs;

        DecodedRequest finish(byte[] body, int jsonLength, boolean header, long maxElements, InputCheck check) {
            if (inputs == null) {
                BinaryTensors.attach(null, body, jsonLength, header, "input");
                return new DecodedRequest(new InferenceRequest(id, parameters, null, outputs), List.of());
            }
            List<Tensor> envelopes = new ArrayList<>(inputs.size());
            for (Input in : inputs) {
                if (in != null && in.hasData && in.parameters != null
                        && in.parameters.get(BinaryTensors.BINARY_DATA_SIZE) != null) {
                    throw new InvalidTensorException("input '" + in.name + "' has both data and "
                            + BinaryTensors.BINARY_DATA_SIZE);
                }
                envelopes.add(in == null ? null : in.envelope());
            }
            // Binary data after the JSON header: every size checked before anything is copied.
            List<Tensor> attached = BinaryTensors.attach(envelopes, body, jsonLength, header, "input");
            List<float[]> values = new ArrayList<>(inputs.size());
            List<Tensor> described = new ArrayList<>(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                Input in = inputs.get(i);
                Tensor t = attached.get(i);
                if (in == null) {
                    throw new InvalidTensorException("input " + i + " is null");
                }
                described.add(new Tensor(t.name(), t.shape(), t.datatype(), t.parameters(), null));
                if (in.values != null) {
                    values.add(in.values);
                    continue;
                }
                if (!in.checked) {
                    check.check(i, in.name, in.shape, in.datatype);
                }
                JsonNode data = BinaryTensors.isBinary(t) ? t.data() : in.tree;
                values.add(TensorCodec.toFloats(new Tensor(t.name(), t.shape(), t.datatype(), t.parameters(), data),
                        maxElements));
            }
            return new DecodedRequest(new InferenceRequest(id, parameters, described, outputs), values);
        }
    }
}
