package io.robustml.crds;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How the model is served. */
public class ServingSpec {
    @Min(0)
    @Max(1000)
    @Default("1")
    @JsonPropertyDescription("Number of serving pods of the stable revision.")
    private int replicas = 1;

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }
}
