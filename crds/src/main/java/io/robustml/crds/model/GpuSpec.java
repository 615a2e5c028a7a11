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

    @Size(max = 63)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("RuntimeClass for the pods, e.g. nvidia, when the cluster needs one for GPU containers.")
    public String runtimeClassName;
}
