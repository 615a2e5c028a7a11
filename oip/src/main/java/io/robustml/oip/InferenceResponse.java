package io.robustml.oip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Inference response (Open Inference Protocol v2). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record InferenceResponse(@JsonProperty("model_name") String modelName,
        @JsonProperty("model_version") String modelVersion, String id, Map<String, Object> parameters,
        List<Tensor> outputs) {
}
