package io.robustml.modelserver.oip;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.robustml.modelserver.runtime.ModelServerConfig;
import io.robustml.modelserver.runtime.Prediction;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.InferenceResponse;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.Tensor;
import io.robustml.oip.TensorCodec;
import java.util.ArrayList;
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

    /** The validated input batch: data row-major and its full shape, batch first. */
    public record Batch(float[] data, long[] shape) {
    }

    public static Batch validate(InferenceRequest request, ModelServerConfig config) {
        if (request == null || request.inputs() == null || request.inputs().size() != 1) {
            throw new InvalidTensorException("expected exactly one input tensor named '" + config.inputName() + "'");
        }
        Tensor input = request.inputs().get(0);
        if (!config.inputName().equals(input.name())) {
            throw new InvalidTensorException("unknown input '" + input.name() + "'; this model's input is '"
                    + config.inputName() + "'");
        }
        long[] shape = input.shape();
        List<Long> expected = config.inputShape();
        if (shape == null || shape.length != expected.size() + 1) {
            throw new InvalidTensorException("input shape " + Arrays.toString(shape) + " does not match [N, "
                    + join(expected) + "]");
        }
        for (int i = 0; i < expected.size(); i++) {
            if (shape[i + 1] != expected.get(i)) {
                throw new InvalidTensorException("input shape " + Arrays.toString(shape) + " does not match [N, "
                        + join(expected) + "]");
            }
        }
        if (shape[0] < 1 || shape[0] > config.maxBatch()) {
            throw new InvalidTensorException("batch size " + shape[0] + " must be between 1 and " + config.maxBatch());
        }
        long perRow = expected.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        float[] data = TensorCodec.toFloats(input, perRow * config.maxBatch());
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
        return new Batch(data, shape);
    }

    /**
     * The response; an output is binary (binary tensor data extension) when the request asks for it
     * with the output's {@code binary_data} or the request's {@code binary_data_output}, else JSON.
     */
    public static InferenceResponse respond(InferenceRequest request, Prediction prediction, ModelServerConfig config) {
        boolean all = request.outputs() == null || request.outputs().isEmpty();
        List<Tensor> outputs = new ArrayList<>(2);
        if (all || requested(request, config.outputName())) {
            if (BinaryTensors.wantsBinary(request, config.outputName())) {
                outputs.add(BinaryTensors.fp32(config.outputName(), prediction.shape(), prediction.logits()));
            } else {
                ArrayNode data = TensorCodec.toJson(prediction.logits());
                outputs.add(new Tensor(config.outputName(), prediction.shape(), "FP32", null, data));
            }
        }
        if (all || requested(request, LABEL_OUTPUT)) {
            long[] shape = {prediction.shape()[0]};
            outputs.add(BinaryTensors.wantsBinary(request, LABEL_OUTPUT)
                    ? BinaryTensors.int64(LABEL_OUTPUT, shape, prediction.argmax())
                    : new Tensor(LABEL_OUTPUT, shape, "INT64", null, TensorCodec.toJson(prediction.argmax())));
        }
        return new InferenceResponse(config.name(), config.version(), request.id(), null, outputs);
    }

    private static boolean requested(InferenceRequest request, String name) {
        return request.outputs().stream().anyMatch(o -> name.equals(o.name()));
    }

    private static String join(List<Long> dims) {
        return String.join(", ", dims.stream().map(String::valueOf).toList());
    }
}
