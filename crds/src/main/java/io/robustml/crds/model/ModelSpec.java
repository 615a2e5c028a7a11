package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** The model file: where it lives, its format, its input and the digest pods verify. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.credentials) || self.uri.startsWith('s3://') || self.uri.startsWith('https://')",
        message = "credentials apply only to s3:// and https:// model stores", fieldPath = ".credentials")
public class ModelSpec {
    @Required
    @Size(max = 2048)
    @Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|https://[^\\s/]+/.+|file:///.+)$")
    @JsonPropertyDescription("Where the model file lives: pvc://<claim>/<path> (a PersistentVolumeClaim in this "
            + "namespace), s3://<bucket>/<key>, https://<host>/<path>, or file:///<absolute path> (a file already on the node, for tests).")
    public String uri;

    @JsonPropertyDescription("Secret with credentials for private s3:// and https:// stores.")
    public CredentialsSpec credentials;

    @Required
    @JsonPropertyDescription("Model file format: torchscript (gradients available, needed for white-box attacks) or onnx (inference only).")
    public ModelFormat format;

    @Required
    @Pattern("^[a-f0-9]{64}$")
    @JsonPropertyDescription("Lower-case hex SHA-256 of the model file. Pods refuse a file that does not match and never serve it.")
    public String sha256;

    @JsonPropertyDescription("The model's input tensor, without the batch dimension.")
    public InputSpec input;

    @Size(max = 1000)
    @JsonPropertyDescription("Class names in output order (e.g. the 10 Fashion-MNIST classes). Used in responses, reports and targeted attacks.")
    public List<String> labels;

    /** Model file formats the default runtime (DJL) loads. */
    public enum ModelFormat {
        @com.fasterxml.jackson.annotation.JsonProperty("torchscript") TORCHSCRIPT,
        @com.fasterxml.jackson.annotation.JsonProperty("onnx") ONNX
    }

    /** A reference to a Secret in the model's namespace. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CredentialsSpec {
        @Required
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @Size(max = 253)
        @JsonPropertyDescription("Name of the Secret (keys: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for s3, or token for https bearer auth).")
        public String secretRef;
    }

    /** Input tensor shape and value range. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "double(self.range.min) < double(self.range.max)",
            message = "range.min must be below range.max", fieldPath = ".range")
    public static class InputSpec {
        @Required
        @Size(min = 1, max = 4)
        @ValidationRule(value = "self.all(d, d >= 1 && d <= 65536)", message = "every dimension must be between 1 and 65536")
        @JsonPropertyDescription("Input shape without the batch dimension, e.g. [1, 28, 28] for Fashion-MNIST.")
        public List<Integer> shape;

        @Default("{\"min\": \"0\", \"max\": \"1\"}")
        @JsonPropertyDescription("Valid input values (attacks clip to this range). Defaults to [0, 1].")
        public RangeSpec range;
    }

    /** A closed interval of decimal values. */
    public static class RangeSpec {
        @Required
        @Pattern(io.robustml.crds.Decimals.SIGNED)
        @JsonPropertyDescription("Smallest valid input value, a decimal string such as \"0\".")
        public String min;

        @Required
        @Pattern(io.robustml.crds.Decimals.SIGNED)
        @JsonPropertyDescription("Largest valid input value, a decimal string such as \"1\" or \"255\".")
        public String max;
    }
}
