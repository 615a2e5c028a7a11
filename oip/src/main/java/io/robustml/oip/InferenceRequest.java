package io.robustml.oip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** POST /v2/models/{name}/infer body (Open Inference Protocol v2, KServe and Triton). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record InferenceRequest(String id, Map<String, Object> parameters, List<Tensor> inputs,
        List<RequestedOutput> outputs) {

    /** An output the client asks for, by name. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestedOutput(String name, Map<String, Object> parameters) {
    }
}
