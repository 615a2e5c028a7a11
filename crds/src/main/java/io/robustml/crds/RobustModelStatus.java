package io.robustml.crds;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and decided; the only part of the resource the operator writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RobustModelStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @PrinterColumn(name = "Phase", priority = 0)
    @JsonPropertyDescription("Coarse lifecycle phase: Pending, Progressing, Ready, Degraded or Failed.")
    private String phase;

    @JsonPropertyDescription("Conditions following Kubernetes API conventions: Ready, Progressing, Degraded.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
