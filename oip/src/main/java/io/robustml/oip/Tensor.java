package io.robustml.oip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A named tensor of a request or response. {@code data} is kept as JSON (flat or nested row-major
 * arrays, both allowed by the protocol) until {@link TensorCodec} decodes it against shape and datatype.
 * A tensor sent with the binary tensor data extension has a
 * {@link com.fasterxml.jackson.databind.node.BinaryNode} of its raw little-endian bytes as {@code data}
 * (see {@link BinaryTensors}), which {@link TensorCodec} reads into the same values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Tensor(String name, long[] shape, String datatype, Map<String, Object> parameters, JsonNode data) {
}
