package io.robustml.oip;

import java.util.List;

/**
 * An inference request whose input tensors are already numbers: {@code request} is the envelope (id,
 * parameters, inputs with name, shape and datatype but no data, outputs requested) and
 * {@code values.get(i)} is input i's data as float32, row-major, checked against its shape and datatype.
 * JSON and binary tensor data decode to the same values ({@link RequestDecoder}).
 */
public record DecodedRequest(InferenceRequest request, List<float[]> values) {
}
