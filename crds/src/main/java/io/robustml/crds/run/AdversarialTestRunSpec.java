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

    @JsonPropertyDescription("The RobustModel's detector settings, for adaptive attacks that account for the defence.")
    public io.robustml.crds.model.DetectorSpec detector;

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
        @JsonPropertyDescription("Model file URI, for white-box attacks that need the weights.")
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
        @JsonPropertyDescription("Dataset URI (idx files).")
        public String uri;

        @Min(10)
        @Max(100000)
        @JsonPropertyDescription("Examples to evaluate.")
        public Integer samples;
    }
}
