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

    @JsonPropertyDescription("Certified L2 robustness by randomized smoothing (Cohen, Rosenfeld and Kolter, 2019): the "
            + "tester samples the revision's model file under Gaussian noise and reports, per radius, the share of examples "
            + "the smoothed model classifies correctly with a certificate at least that large (abstentions count as wrong); "
            + "slos.minCertifiedAccuracy can require one. Needs model.format torchscript.")
    public CertificationSpec certification;

    /**
     * Randomized smoothing's parameters. The defaults are declared here once: the CRD's and the tester's.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @io.fabric8.generator.annotation.ValidationRule(value = "double(self.sigma) > 0.0 && double(self.sigma) <= 4.0",
            message = "sigma is in (0, 4]", fieldPath = ".sigma")
    @io.fabric8.generator.annotation.ValidationRule(value = "!has(self.alpha) || (double(self.alpha) > 0.0 && double(self.alpha) < 0.5)",
            message = "alpha is in (0, 0.5)", fieldPath = ".alpha")
    @io.fabric8.generator.annotation.ValidationRule(value = "self.radii.all(r, r.matches('^[0-9]{1,2}([.][0-9]{1,6})?$') && double(r) > 0.0)", message = "each radius is a positive decimal such as \"0.25\"", fieldPath = ".radii")
    @io.fabric8.generator.annotation.ValidationRule(value = "!has(self.n0) || !has(self.n) || self.n0 <= self.n",
            message = "n0 (the selection draws) is at most n (the estimation draws)", fieldPath = ".n0")
    public static class CertificationSpec {
        public static final String DEFAULT_N0 = "100";
        public static final String DEFAULT_N = "1000";
        public static final String DEFAULT_ALPHA = "0.001";
        public static final String DEFAULT_SAMPLES = "100";

        @Required
        @io.fabric8.generator.annotation.Pattern(io.robustml.crds.Decimals.NON_NEGATIVE)
        @JsonPropertyDescription("Standard deviation of the Gaussian noise, in input units (inputs in [0, 1]), e.g. \"0.25\". "
                + "A model certifies well only at the sigma it was trained with noise at.")
        public String sigma;

        @io.fabric8.generator.annotation.Min(10)
        @io.fabric8.generator.annotation.Max(10000)
        @io.fabric8.generator.annotation.Default(DEFAULT_N0)
        @JsonPropertyDescription("Noisy draws per example that choose the predicted class.")
        public Integer n0;

        @io.fabric8.generator.annotation.Min(100)
        @io.fabric8.generator.annotation.Max(100000)
        @io.fabric8.generator.annotation.Default(DEFAULT_N)
        @JsonPropertyDescription("Noisy draws per example that bound the class's probability: the largest radius n can "
                + "certify is sigma times the normal quantile of alpha^(1/n) (about 2.46 sigma for 1000 draws at alpha 0.001).")
        public Integer n;

        @io.fabric8.generator.annotation.Pattern(io.robustml.crds.Decimals.FRACTION)
        @io.fabric8.generator.annotation.Default(DEFAULT_ALPHA)
        @JsonPropertyDescription("Failure probability of each certificate: the class probability's bound is the one-sided "
                + "Clopper-Pearson lower confidence limit at level 1 - alpha.")
        public String alpha;

        @Required
        @Size(min = 1, max = 4)
        @JsonPropertyDescription("L2 radii, in input units, at which certified accuracy is reported, e.g. [\"0.25\", \"0.5\"].")
        public List<String> radii;

        @io.fabric8.generator.annotation.Min(1)
        @io.fabric8.generator.annotation.Max(10000)
        @io.fabric8.generator.annotation.Default(DEFAULT_SAMPLES)
        @JsonPropertyDescription("Examples certified: the first this many of the analysis's samples (each costs n0 + n "
                + "forward passes).")
        public Integer samples;
    }

    /** A local model file for reference-surrogate transfer attacks. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SurrogateModelSpec {
        @Required
        @Size(max = 2048)
        @io.fabric8.generator.annotation.Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|https://[^\\s/?#]+/[^?#]+|file:///.+)$")
        @JsonPropertyDescription("pvc://<claim>/<path> (mounted read-only into the tester), s3://<bucket>/<key> or "
                + "https://<host>/<path> (fetched by the tester with model.credentials), or file:// (a file in the tester's "
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
        @io.fabric8.generator.annotation.Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|https://[^\\s/?#]+/[^?#]+|file:///.+)$")
        @JsonPropertyDescription("pvc://<claim>/<path> (mounted read-only into the tester), s3://<bucket>/<key> or "
                + "https://<host>/<path> (fetched by the tester with model.credentials), or file:// (local runs): a "
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
