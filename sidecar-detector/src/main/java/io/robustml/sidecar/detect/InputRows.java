package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.Tensor;
import io.robustml.oip.TensorCodec;
import java.util.Optional;

/**
 * The rows the detectors look at: the request's single floating-point input with a batch dimension,
 * decoded once. Requests of another shape are not inspected (empty); malformed tensors throw
 * {@link InvalidTensorException}, which the client gets as a 400.
 */
public record InputRows(long[] shape, float[] values, int rows, int features) {
    /** Largest tensor inspected; larger requests pass uninspected (the model server's own limit applies). */
    static final long MAX_ELEMENTS = 16L << 20;

    public static Optional<InputRows> of(ObjectMapper json, JsonNode request) {
        JsonNode inputs = request.path("inputs");
        if (!inputs.isArray() || inputs.size() != 1) {
            return Optional.empty();
        }
        Tensor tensor;
        try {
            tensor = json.treeToValue(inputs.get(0), Tensor.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidTensorException("input 0 is not a tensor: " + e.getMessage());
        }
        if (tensor.shape() == null || tensor.shape().length < 2 || tensor.datatype() == null
                || !tensor.datatype().startsWith("FP")) {
            return Optional.empty();
        }
        float[] values = TensorCodec.toFloats(tensor, MAX_ELEMENTS);
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new InvalidTensorException("input '" + tensor.name() + "' contains NaN or infinity");
            }
        }
        int n = (int) tensor.shape()[0];
        if (n == 0) {
            return Optional.empty();
        }
        return Optional.of(new InputRows(tensor.shape(), values, n, values.length / n));
    }

    public float[] row(int i) {
        float[] r = new float[features];
        System.arraycopy(values, i * features, r, 0, features);
        return r;
    }
}
