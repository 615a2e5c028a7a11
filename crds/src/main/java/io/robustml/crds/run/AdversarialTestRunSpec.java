package io.robustml.crds.run;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.robustml.crds.model.AttackSpec;
import io.robustml.crds.model.ThreatModelSpec;
import java.util.List;

/** What to test; copied from the RobustModel when the run is created, and immutable after that. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What to test: the revision and its endpoint, the attacks, the dataset and the detector settings, "
        + "copied from the RobustModel when the operator creates the run. Immutable: a new analysis is a new run.")
@ValidationRule(value = "self == oldSelf", message = "the spec of a test run is immutable: create a new run")
public class AdversarialTestRunSpec {
    @Required
    @JsonPropertyDescription("The revision under test and where it answers.")
    public Target target;

    @JsonPropertyDescription("Attacker knowledge: blackbox or whitebox.")
    public ThreatModelSpec.Access access;

    @JsonPropertyDescription("Attacker goal: untargeted or targeted.")
    public ThreatModelSpec.Goal goal;

    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("The attacks to run, as in the RobustModel's threatModel.")
    public List<AttackSpec> attacks;

    @Required
    @JsonPropertyDescription("The evaluation data.")
    public Dataset dataset;

    @JsonPropertyDescription("The RobustModel's detector settings: adaptive attacks account for the defence, "
            + "outputHardening.exposure decides which attacks can run, featureSqueezing.targetFalsePositiveRate is calibrated "
            + "on the revision's own clean answers.")
    public io.robustml.crds.model.DetectorSpec detector;

    @Size(max = 1000)
    @JsonPropertyDescription("The model's input as the RobustModel describes it (model.input): every attack keeps its "
            + "examples inside input.range.")
    public io.robustml.crds.model.ModelSpec.InputSpec input;

    @JsonPropertyDescription("Class names in output order (the RobustModel's model.labels): per-class results and "
            + "targetClass by name use them; absent, classes are named by index.")
    public List<String> labels;

    @JsonPropertyDescription("A regression corpus of known adversarial inputs, replayed once each against the revision.")
    public Corpus corpus;

    @JsonPropertyDescription("The model file transfer attacks with surrogate: reference run on (local path or file://, the "
            + "operator mounts pvc:// files; s3:// or https://, fetched); its sha256 is checked before use. Absent: the tester's --surrogate-model.")
    public ThreatModelSpec.SurrogateModelSpec surrogateModel;

    @JsonPropertyDescription("Certified L2 robustness by randomized smoothing on target.modelUri, as the RobustModel's "
            + "threatModel.certification says.")
    public ThreatModelSpec.CertificationSpec certification;

    /** Known adversarial inputs, one JSON line each; the digest is checked before use. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Corpus {
        @Required
        @Size(max = 2048)
        @JsonPropertyDescription("JSON-lines file (a local path or file://, the operator mounts pvc:// like the dataset; s3:// or https://, "
                + "fetched). "
                + "One line per example: {\"input\": [...], \"shape\": [1,28,28], \"label\": <true class>, \"id\": \"...\"} "
                + "and optionally \"target\": <class> for a targeted example.")
        public String uri;

        @Required
        @Pattern("^[a-f0-9]{64}$")
        @JsonPropertyDescription("SHA-256 of the corpus file: a mismatch fails the run before anything is measured.")
        public String sha256;
    }

    /** The system under test. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Target {
        @Required
        @Size(max = 253)
        @JsonPropertyDescription("Name of the RobustModel.")
        public String model;

        @Required
        @Size(max = 63)
        @Pattern("^[a-z0-9]+$")
        @JsonPropertyDescription("Revision hash under test.")
        public String revision;

        @Required
        @Size(max = 512)
        @Pattern("^https?://[^\\s]+$")
        @JsonPropertyDescription("Base URL of the revision's Open Inference Protocol endpoint (the sidecar, as a client sees it).")
        public String endpoint;

        @Size(max = 2048)
        @JsonPropertyDescription("Model file URI, for white-box attacks that need the weights: a local path or file://, or s3:// or https:// "
                + "(fetched with the pod's credentials and verified against modelSha256).")
        public String modelUri;

        @Pattern("^[a-f0-9]{64}$")
        @JsonPropertyDescription("SHA-256 of the model file.")
        public String modelSha256;
    }

    /** Evaluation dataset and sample size. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Dataset {
        @Required
        @Size(max = 2048)
        @JsonPropertyDescription("Dataset URI: idx files, a NumPy .npz, an image folder, a CSV or Parquet file (rollout.analysis.dataset); "
                + "s3:// and https:// ones are fetched and verified against checksums first.")
        public String uri;

        @JsonPropertyDescription("A CSV dataset's label column (rollout.analysis.labelColumn).")
        public String labelColumn;

        @Min(10)
        @Max(100000)
        @JsonPropertyDescription("Examples to evaluate.")
        public Integer samples;

        @Size(max = 8)
        @JsonPropertyDescription("SHA-256 of the dataset's files (spec.rollout.analysis.datasetChecksums): every file the "
                + "tester reads must be listed and match, or the run fails before anything is measured.")
        public List<io.robustml.crds.model.RolloutSpec.DatasetChecksum> checksums;
    }
}
