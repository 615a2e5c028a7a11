package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** How the model is served. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.runtime) || self.runtime != 'custom' || has(self.image)", message = "runtime custom needs an image",
        fieldPath = ".image")
@ValidationRule(value = "(has(self.runtime) && self.runtime == 'custom') || !has(self.args)",
        message = "args apply only to runtime custom", fieldPath = ".args")
@ValidationRule(value = "!(has(self.runtime) && self.runtime == 'custom') || !has(self.batching)",
        message = "batching applies only to runtime djl (a custom server batches by its own settings)", fieldPath = ".batching")
@ValidationRule(value = "!(has(self.runtime) && self.runtime == 'custom') || !has(self.parallelism)",
        message = "parallelism applies only to runtime djl", fieldPath = ".parallelism")
public class ServingSpec {
    @Default("djl")
    @JsonPropertyDescription("Model server: djl (this project's Open Inference Protocol server, the default) or custom "
            + "(any Open Inference Protocol v2 server, e.g. NVIDIA Triton or MLServer; give image, args and port).")
    public Runtime runtime;

    @Size(max = 512)
    @JsonPropertyDescription("Container image of the model server; required for custom, overrides the default otherwise.")
    public String image;

    @Size(max = 64)
    @JsonPropertyDescription("Arguments of a custom model server.")
    public List<String> args;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port the model server listens on inside the pod (loopback only; the sidecar forwards to it). "
            + "Defaults to 8081; must not be 8080 (the sidecar's port).")
    @ValidationRule(value = "self != 8080 && self != 9090", message = "8080 and 9090 are the sidecar's ports")
    public Integer port;

    /** spec.serving.replicas' default, declared once (the CRD's and the operator's). */
    public static final String DEFAULT_REPLICAS = "1";

    @Min(0)
    @Max(1000)
    @Default(DEFAULT_REPLICAS)
    @JsonPropertyDescription("Serving pods of the stable revision.")
    public Integer replicas;

    @JsonPropertyDescription("CPU and memory of the model server container (GPUs go in gpu, not here).")
    public ResourceRequirements resources;

    @JsonPropertyDescription("GPUs per serving pod. Omit for CPU-only serving.")
    public GpuSpec gpu;

    @JsonPropertyDescription("Dynamic batching of the djl model server: requests waiting for the model share one forward pass.")
    public BatchingSpec batching;

    @JsonPropertyDescription("Model instances and engine threads of the djl model server (default: from the container's CPU limit).")
    public ParallelismSpec parallelism;

    @JsonPropertyDescription("Node selector added to the serving pods (passed through).")
    public Map<String, String> nodeSelector;

    @Size(max = 32)
    @JsonPropertyDescription("Tolerations added to the serving pods (passed through; the nvidia.com/gpu toleration is added for GPU pods).")
    public List<Toleration> tolerations;

    /** Model server runtimes. */
    public enum Runtime {
        @JsonProperty("djl") DJL,
        @JsonProperty("custom") CUSTOM
    }
}
