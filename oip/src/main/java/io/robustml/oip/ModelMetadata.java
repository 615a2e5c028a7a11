package io.robustml.oip;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** GET /v2/models/{name} response. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
        List<TensorMetadata> outputs) {

    /** Name, datatype and shape (-1 for a variable dimension) of a model input or output. */
    public record TensorMetadata(String name, String datatype, long[] shape) {
    }
}
