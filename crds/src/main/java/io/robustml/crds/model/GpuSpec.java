package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** GPUs per pod, resolved against the platform's NVIDIA device-plugin configuration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.mig) || self.count >= 1", message = "a MIG profile needs count >= 1",
        fieldPath = ".mig")
@ValidationRule(value = "!has(self.mig) || self.count <= 7", message = "a GPU has at most 7 MIG instances",
        fieldPath = ".count")
@ValidationRule(value = "!has(self.mig) || !has(self.minMemoryMiB)",
        message = "a MIG profile fixes its memory: set mig or minMemoryMiB, not both", fieldPath = ".minMemoryMiB")
@ValidationRule(value = "!has(self.allocation) || self.allocation != 'dra' || self.count <= 8",
        message = "dynamic resource allocation asks for at most 8 devices per pod", fieldPath = ".count")
public class GpuSpec {
    @Required
    @Min(0)
    @Max(16)
    @JsonPropertyDescription("GPUs (or MIG instances when mig is set) per pod; requests equal limits.")
    public Integer count;

    @Size(max = 128)
    @Pattern("^[A-Za-z0-9][-A-Za-z0-9_.]*$")
    @JsonPropertyDescription("Required GPU product, as GPU Feature Discovery labels it (nvidia.com/gpu.product), e.g. NVIDIA-A100-SXM4-40GB.")
    public String product;

    @Pattern("^[1-7]g\\.[0-9]{1,3}gb(\\+me)?$")
    @JsonPropertyDescription("MIG profile per instance, e.g. 1g.5gb or 3g.20gb (resource nvidia.com/mig-<profile> under the mixed strategy).")
    public String mig;

    @Min(1)
    @Max(1048576)
    @JsonPropertyDescription("Minimum memory per GPU in MiB, compared with GPU Feature Discovery's nvidia.com/gpu.memory "
            + "label (a node without that label does not qualify). Not with mig: a MIG profile fixes its memory.")
    public Integer minMemoryMiB;

    @JsonPropertyDescription("exclusive (default): only GPUs the device plugin does not share (no time-slicing or MPS) "
            + "qualify. allowed: shared GPUs (time-slicing or MPS replicas, resource nvidia.com/gpu.shared when the "
            + "device plugin renames it) qualify too; exclusive GPUs are preferred when both exist.")
    public Sharing sharing;

    @JsonPropertyDescription("devicePlugin (default): extended resources as the NVIDIA device plugin advertises them. "
            + "dra: a ResourceClaimTemplate per pod on NVIDIA's DRA device classes (gpu.nvidia.com, mig.nvidia.com) "
            + "with a CEL selector on product and memory.")
    public Allocation allocation;

    @Size(max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("RuntimeClass for the pods, e.g. nvidia, when the cluster needs one for GPU containers.")
    public String runtimeClassName;

    /** Whether GPUs shared by the device plugin (time-slicing, MPS) qualify. */
    public enum Sharing {
        @com.fasterxml.jackson.annotation.JsonProperty("exclusive") EXCLUSIVE,
        @com.fasterxml.jackson.annotation.JsonProperty("allowed") ALLOWED
    }

    /** How pods get their GPUs. */
    public enum Allocation {
        @com.fasterxml.jackson.annotation.JsonProperty("devicePlugin") DEVICE_PLUGIN,
        @com.fasterxml.jackson.annotation.JsonProperty("dra") DRA
    }
}
