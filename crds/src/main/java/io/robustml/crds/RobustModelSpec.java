package io.robustml.crds;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What the user wants served. */
public class RobustModelSpec {
    @Required
    @JsonPropertyDescription("The model file to serve and how to verify it.")
    private ModelSpec model;

    @JsonPropertyDescription("How the model is served: replicas and runtime.")
    private ServingSpec serving = new ServingSpec();

    public ModelSpec getModel() {
        return model;
    }

    public void setModel(ModelSpec model) {
        this.model = model;
    }

    public ServingSpec getServing() {
        return serving;
    }

    public void setServing(ServingSpec serving) {
        this.serving = serving;
    }
}
