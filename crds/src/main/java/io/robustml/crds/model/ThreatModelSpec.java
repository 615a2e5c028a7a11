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
