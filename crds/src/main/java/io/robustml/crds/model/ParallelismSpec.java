package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * How the djl model server shares its CPUs: model instances (forward passes at once) and engine threads
 * inside one pass. Unset: one instance per CPU the container may use (its CPU limit), the CPUs left to
 * each instance as intra-op threads, so instances × threads never exceeds the limit.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ParallelismSpec {
    @Min(1)
    @Max(256)
    @JsonPropertyDescription("Model instances, each running one forward pass at a time (default: one per CPU of the container's limit).")
    public Integer instances;

    @Min(1)
    @Max(256)
    @JsonPropertyDescription("libtorch / ONNX Runtime threads inside one forward pass (default: the CPUs left to each instance).")
    public Integer intraOpThreads;
}
