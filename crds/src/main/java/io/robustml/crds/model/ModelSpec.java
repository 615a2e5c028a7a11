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
public class ModelSpec {
    @Required
    @Size(max = 2048)
    @Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|https://[^\\s/]+/.+|file:///.+)$")
    @JsonPropertyDescription("Where the model file lives: pvc://<claim>/<path> (a PersistentVolumeClaim in this "
            + "namespace), s3://<bucket>/<key>, https://<host>/<path>, or file:///<absolute path> (a file already on the node, for tests).")
    public String uri;

    @JsonPropertyDescription("Secret with credentials for private s3:// and https:// stores: the model's, and the "
            + "analysis dataset's, corpus's and surrogate's when those are in a store (the tester gets the same keys).")
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
    @ValidationRule(value = "!has(self.features) || (size(self.shape) == 1 && size(self.features) == self.shape[0])",
            message = "features describe a 1-D input: shape [n] and one entry per column", fieldPath = ".features")
    @ValidationRule(value = "!has(self.normalization) || (size(self.shape) == 3 && size(self.normalization.mean) == "
            + "(has(self.layout) && self.layout == 'NHWC' ? self.shape[2] : self.shape[0]) && size(self.normalization.std) == "
            + "size(self.normalization.mean))",
            message = "normalization is per channel of an image input ([channels, height, width], or [height, width, channels] "
                    + "with layout NHWC): one mean and one std per channel",
            fieldPath = ".normalization")
    @ValidationRule(value = "!has(self.layout) || size(self.shape) == 3",
            message = "layout is for an image input: shape [channels, height, width] (NCHW) or [height, width, channels] (NHWC)",
            fieldPath = ".layout")
    public static class InputSpec {
        @Required
        @Size(min = 1, max = 4)
        @ValidationRule(value = "self.all(d, d >= 1 && d <= 65536)", message = "every dimension must be between 1 and 65536")
        @JsonPropertyDescription("Input shape without the batch dimension, e.g. [1, 28, 28] for Fashion-MNIST.")
        public List<Integer> shape;

        @Default("{\"min\": \"0\", \"max\": \"1\"}")
        @JsonPropertyDescription("Valid input values: every attack keeps its examples inside, a dataset's 8-bit pixels "
                + "map onto it (0 to min, 255 to max), and the sidecar's feature squeezing reduces the bit depth of this "
                + "range (and query similarity fingerprints values scaled by it). Defaults to [0, 1]. Tabular columns "
                + "described in features use their own.")
        public RangeSpec range;

        @JsonPropertyDescription("Per-channel normalisation the model expects of its inputs, when it does not normalise "
                + "itself: it takes (pixel - mean[c]) / std[c] for channel c, pixels in range. The analysis reads and "
                + "attacks pixels (epsilon in the range's units, as RobustBench states budgets) and sends them normalised; "
                + "the sidecar squeezes and fingerprints the pixels it recovers from what clients send.")
        public NormalizationSpec normalization;

        @JsonPropertyDescription("How an image input's dimensions are ordered: NCHW (channels first, shape [channels, "
                + "height, width]; the meaning when unset) or NHWC (channels last, shape [height, width, channels], as Keras "
                + "and TensorFlow models take them). The analysis and the sidecar's detectors work channels first and "
                + "transpose what they send.")
        public Layout layout;

        @Size(max = 4096)
        @JsonPropertyDescription("Tabular models (shape [n]): one entry per column, in order. Each column's own range replaces "
                + "range, and the threat model's epsilon becomes a fraction of each column's range (the attacks run on the "
                + "columns scaled to [0, 1]); immutable columns never change, a column with maxChange moves at most that far, integer "
                + "columns stay whole numbers, columns sharing a oneHotGroup stay one-hot (a category changes only where epsilon "
                + "allows a change of 1).")
        public List<FeatureSpec> features;
    }

    /** Per-channel mean and standard deviation (decimal strings), as torchvision's Normalize takes them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("Per-channel normalisation (1 to 3 channels): the model takes "
            + "(pixel - mean[c]) / std[c].")
    @ValidationRule(value = "self.mean.all(m, m.matches('^-?[0-9]{1,6}([.][0-9]{1,6})?$'))",
            message = "each mean is a decimal string such as \"0.4914\"", fieldPath = ".mean")
    @ValidationRule(value = "self.std.all(s, s.matches('^[0-9]{1,6}([.][0-9]{1,6})?$') && double(s) > 0.0)",
            message = "each std is a positive decimal string such as \"0.2470\"", fieldPath = ".std")
    public static class NormalizationSpec {
        @Required
        @Size(min = 1, max = 3)
        @JsonPropertyDescription("Each channel's mean, in pixel units, e.g. [\"0.4914\", \"0.4822\", \"0.4465\"].")
        public List<String> mean;

        @Required
        @Size(min = 1, max = 3)
        @JsonPropertyDescription("Each channel's standard deviation, in pixel units, e.g. [\"0.2470\", \"0.2435\", \"0.2616\"].")
        public List<String> std;
    }

    /** One column of a tabular input. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("One column of a tabular input: its name, range, kind and whether "
            + "an attacker can change it.")
    @ValidationRule(value = "double(self.min) < double(self.max)", message = "min must be below max", fieldPath = ".min")
    @ValidationRule(value = "!has(self.oneHotGroup) || (double(self.min) == 0.0 && double(self.max) == 1.0)",
            message = "a one-hot column ranges from 0 to 1", fieldPath = ".oneHotGroup")
    @ValidationRule(value = "!has(self.oneHotGroup) || !has(self.maxChange)",
            message = "a one-hot column changes by 0 or 1: leave maxChange out (mutable: false keeps its category)",
            fieldPath = ".maxChange")
    public static class FeatureSpec {
        @Required
        @Pattern("^[A-Za-z0-9_.:-]{1,63}$")
        @JsonPropertyDescription("Column name, as reports show it.")
        public String name;

        @Required
        @Pattern(io.robustml.crds.Decimals.SIGNED)
        @JsonPropertyDescription("Smallest valid value (decimal string).")
        public String min;

        @Required
        @Pattern(io.robustml.crds.Decimals.SIGNED)
        @JsonPropertyDescription("Largest valid value (decimal string).")
        public String max;

        @Default("continuous")
        @JsonPropertyDescription("continuous, or integer (an attack's values are whole numbers, rounded towards the original).")
        public FeatureType type;

        @Default("true")
        @JsonPropertyDescription("False: a column the attacker cannot change (an account's age, a declared country): every "
                + "adversarial example keeps the original's value.")
        public Boolean mutable;

        @Pattern("^[A-Za-z0-9_.:-]{1,63}$")
        @JsonPropertyDescription("Columns with the same group name are one categorical value, one-hot encoded: exactly one "
                + "of them is 1.")
        public String oneHotGroup;

        @Pattern(io.robustml.crds.Decimals.FRACTION)
        @JsonPropertyDescription("This column's own epsilon, a fraction of its range (decimal string, 0 to 1): no "
                + "adversarial example moves it further from the original than this, whatever the attack's epsilon "
                + "(which still bounds the whole row). For a column an attacker can change only a little (a declared "
                + "income by 5 %); 0 is the same as mutable: false. Not for one-hot columns.")
        public String maxChange;
    }

    /** The order of an image input's dimensions. */
    public enum Layout {
        @com.fasterxml.jackson.annotation.JsonProperty("NCHW") NCHW,
        @com.fasterxml.jackson.annotation.JsonProperty("NHWC") NHWC
    }

    /** What values a tabular column takes. */
    public enum FeatureType {
        @com.fasterxml.jackson.annotation.JsonProperty("continuous") CONTINUOUS,
        @com.fasterxml.jackson.annotation.JsonProperty("integer") INTEGER
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
