package io.robustml.modelserver.oip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.modelserver.runtime.ModelServerConfig;
import io.robustml.modelserver.runtime.Prediction;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.DecodedRequest;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.RequestDecoder;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Checks an inference request against the model's signature and turns the prediction into the
 * protocol's response. Pure: the HTTP adapter and the model are passed in.
 */
public final class InferenceHandler {
    /** Second output: the predicted class per row, for clients that only want the label. */
    public static final String LABEL_OUTPUT = "label";

    private InferenceHandler() {
    }

    /** The validated input batch: data row-major and its full shape, batch first, and what the client asked for. */
    public record Batch(float[] data, long[] shape, InferenceRequest request) {
    }

    /**
     * Decodes and validates a request body (JSON, or a JSON header and binary tensor data): the input's
     * name, shape and batch size are checked before its data is read.
     *
     * @param maxElements {@link #maxElements} of {@code config}
     * @throws JsonProcessingException for malformed JSON
     * @throws InvalidTensorException for anything else the model cannot take
     */
    public static Batch decode(byte[] body, String headerLength, ObjectMapper json, ModelServerConfig config,
            long maxElements) throws JsonProcessingException {
        DecodedRequest decoded = RequestDecoder.decode(body, headerLength, json, maxElements,
                (index, name, shape, datatype) -> checkInput(index, name, shape, config));
        InferenceRequest request = decoded == null ? null : decoded.request();
        if (request == null || request.inputs() == null || request.inputs().size() != 1) {
            throw new InvalidTensorException("expected exactly one input tensor named '" + config.inputName() + "'");
        }
        if (request.outputs() != null) {
            Set<String> known = Set.of(config.outputName(), LABEL_OUTPUT);
            for (InferenceRequest.RequestedOutput o : request.outputs()) {
                if (o == null || !known.contains(o.name())) {
                    throw new InvalidTensorException("unknown output '" + (o == null ? null : o.name())
                            + "'; this model's outputs are " + known);
                }
            }
        }
        // Reject a malformed binary_data / binary_data_output before the forward pass, not after.
        BinaryTensors.wantsBinary(request, config.outputName());
        BinaryTensors.wantsBinary(request, LABEL_OUTPUT);
        return new Batch(decoded.values().get(0), request.inputs().get(0).shape(), request);
    }

    /** The most elements an input may have: the largest batch of the model's rows (computed once, not per request). */
    public static long maxElements(ModelServerConfig config) {
        return config.inputShape().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b) * config.maxBatch();
    }

    /** The model's signature: one input of its name and row shape, a batch between 1 and maxBatch. */
    static void checkInput(int index, String name, long[] shape, ModelServerConfig config) {
        if (index > 0) {
            throw new InvalidTensorException("expected exactly one input tensor named '" + config.inputName() + "'");
        }
        if (!config.inputName().equals(name)) {
            throw new InvalidTensorException("unknown input '" + name + "'; this model's input is '"
                    + config.inputName() + "'");
        }
        List<Long> expected = config.inputShape();
        boolean matches = shape != null && shape.length == expected.size() + 1;
        for (int i = 0; matches && i < expected.size(); i++) {
            matches = shape[i + 1] == expected.get(i);
        }
        if (!matches) {
            throw new InvalidTensorException("input shape " + Arrays.toString(shape) + " does not match [N, "
                    + String.join(", ", expected.stream().map(String::valueOf).toList()) + "]");
        }
        if (shape[0] < 1 || shape[0] > config.maxBatch()) {
            throw new InvalidTensorException("batch size " + shape[0] + " must be between 1 and " + config.maxBatch());
        }
    }

    /**
     * The response body; an output is binary (binary tensor data extension) when the request asks for it
     * with the output's {@code binary_data} or the request's {@code binary_data_output}, else JSON.
     */
    public static BinaryTensors.Encoded respond(InferenceRequest request, Prediction prediction, ModelServerConfig config,
            ObjectMapper json) {
        boolean all = request.outputs() == null || request.outputs().isEmpty();
        ResponseWriter out = new ResponseWriter(json, config.name(), config.version(), request.id());
        if (all || requested(request, config.outputName())) {
            out.fp32(config.outputName(), prediction.shape(), prediction.logits(),
                    BinaryTensors.wantsBinary(request, config.outputName()));
        }
        if (all || requested(request, LABEL_OUTPUT)) {
            out.int64(LABEL_OUTPUT, new long[] {prediction.shape()[0]}, prediction.argmax(),
                    BinaryTensors.wantsBinary(request, LABEL_OUTPUT));
        }
        return out.finish();
    }

    private static boolean requested(InferenceRequest request, String name) {
        return request.outputs().stream().anyMatch(o -> name.equals(o.name()));
    }
}
