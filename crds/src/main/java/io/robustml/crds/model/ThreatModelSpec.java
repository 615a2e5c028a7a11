package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The attacker the model must withstand, and the attacks that stand for them in the test suite. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@io.fabric8.generator.annotation.ValidationRule(
        value = "!self.attacks.exists(a, has(a.surrogate) && a.surrogate == 'reference') || has(self.surrogateModel)",
        message = "a transfer attack with surrogate: reference needs threatModel.surrogateModel (the model file it attacks)",
        fieldPath = ".surrogateModel")
@io.fabric8.generator.annotation.ValidationRule(
        value = "!has(self.surrogateModel) || self.attacks.exists(a, has(a.surrogate) && a.surrogate == 'reference')",
        message = "surrogateModel is used only by transfer attacks with surrogate: reference", fieldPath = ".surrogateModel")
public class ThreatModelSpec {
    @Default("blackbox")
    @JsonPropertyDescription("What the attacker knows: blackbox (only the API: queries and outputs) or whitebox "
            + "(the weights, e.g. a leaked model file; needs torchscript).")
    public Access access;

    @Default("untargeted")
    @JsonPropertyDescription("What the attacker wants: untargeted (any wrong answer) or targeted (a chosen class).")
    public Goal goal;

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("Attacks of the analysis suite; each runs against every canary.")
    public List<AttackSpec> attacks;

    @JsonPropertyDescription("A regression corpus of known adversarial inputs (incidents, red-team work) that every analysis "
            + "replays; slos.maxCorpusSuccessRate caps its success.")
    public CorpusSpec corpus;

    @JsonPropertyDescription("The surrogate of transfer attacks with surrogate: reference: a model file the attacker could "
            + "hold (a leaked earlier version, a public model for the same task), TorchScript, mounted read-only into the "
            + "tester and checked against its sha256 before use.")
    public SurrogateModelSpec surrogateModel;

    /** A local model file for reference-surrogate transfer attacks. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SurrogateModelSpec {
        @Required
        @Size(max = 2048)
        @io.fabric8.generator.annotation.Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|file:///.+)$")
        @JsonPropertyDescription("pvc://<claim>/<path> (mounted read-only into the tester) or file:// (a file in the tester's "
                + "image or on the node, for local runs).")
        public String uri;

        @Required
        @io.fabric8.generator.annotation.Pattern("^[a-f0-9]{64}$")
        @JsonPropertyDescription("SHA-256 of the surrogate file: the tester refuses a file that does not match.")
        public String sha256;
    }

    /** Known adversarial inputs, one JSON line each (docs/attacks.md). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public static class CorpusSpec {
        @Required
        @io.fabric8.generator.annotation.Size(max = 2048)
        @io.fabric8.generator.annotation.Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|file:///.+)$")
        @JsonPropertyDescription("pvc://<claim>/<path> (mounted read-only into the tester) or file:// (local runs): a "
                + "JSON-lines file, one example per line with input, shape, label and optionally target.")
        public String uri;

        @Required
        @io.fabric8.generator.annotation.Pattern("^[a-f0-9]{64}$")
        @JsonPropertyDescription("SHA-256 of the corpus file: the tester refuses a file that does not match.")
        public String sha256;
    }

    /** Attacker knowledge. */
    public enum Access {
        @JsonProperty("blackbox") BLACKBOX,
        @JsonProperty("whitebox") WHITEBOX
    }

    /** Attacker goal. */
    public enum Goal {
        @JsonProperty("untargeted") UNTARGETED,
        @JsonProperty("targeted") TARGETED
    }
}
