package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.Tensor;
import io.robustml.oip.TensorCodec;
import java.util.Optional;

/**
 * The rows the detectors look at: the request's single input with a batch dimension, decoded once into
 * float32 whatever its datatype (every numeric datatype and BOOL, JSON or binary, exactly as the model
 * server decodes it), so no datatype reaches the model uninspected. What the detectors cannot read —
 * several inputs, no batch dimension, BYTES, malformed or non-finite data — throws
 * {@link InvalidTensorException}, which the client gets as a 400 naming the reason.
 */
public record InputRows(long[] shape, float[] values, int rows, int features) {
    /** Largest tensor inspected (elements); larger requests are a 400 (the body limit is reached first). */
    static final long MAX_ELEMENTS = 64L << 20;

    /** The request's rows; empty only for a batch of zero rows (nothing to inspect; the model server refuses it). */
    public static Optional<InputRows> of(ObjectMapper json, JsonNode request) {
        JsonNode inputs = request.path("inputs");
        if (!inputs.isArray() || inputs.size() != 1) {
            requireOneInput(inputs.isArray() ? inputs.size() : 0);
        }
        Tensor tensor;
        try {
            tensor = json.treeToValue(inputs.get(0), Tensor.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidTensorException("input 0 is not a tensor: " + e.getMessage());
        }
        requireRows(tensor.name(), tensor.shape());
        float[] values = TensorCodec.toFloats(tensor, MAX_ELEMENTS); // datatype, element count, finiteness checked
        int n = (int) tensor.shape()[0];
        if (n == 0) {
            return Optional.empty();
        }
        return Optional.of(new InputRows(tensor.shape(), values, n, values.length / n));
    }

    /**
     * What {@link #of} refuses before it reads any data: not exactly one input, no batch dimension, a
     * datatype that is not numbers, more elements than inspected. For a request answered before it is
     * inspected (action flag), so that nothing the detectors cannot read reaches the model.
     */
    public static void requireInspectable(int inputs, String name, String datatype, long[] shape) {
        requireOneInput(inputs);
        requireRows(name, shape);
        TensorCodec.requireNumbers(name, datatype);
        TensorCodec.elementCount(shape, MAX_ELEMENTS);
    }

    private static void requireOneInput(int inputs) {
        if (inputs != 1) {
            throw new InvalidTensorException("the detectors inspect exactly one input tensor; the request has " + inputs);
        }
    }

    private static void requireRows(String name, long[] shape) {
        if (shape == null || shape.length < 2) {
            throw new InvalidTensorException("input '" + name + "': shape " + java.util.Arrays.toString(shape)
                    + " has no batch dimension; the detectors inspect [N, ...] rows");
        }
    }

    public float[] row(int i) {
        float[] r = new float[features];
        System.arraycopy(values, i * features, r, 0, features);
        return r;
    }
}
