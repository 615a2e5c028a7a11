package io.robustml.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import org.junit.jupiter.api.Test;

class CustomResourceDefinitionsTest {

    @Test
    void aStatusWithoutConditionsIsNotEstablishedYet() {
        // What the API server returns for a CRD in the first milliseconds: names accepted, no conditions.
        CustomResourceDefinition fresh = new CustomResourceDefinitionBuilder()
                .withNewStatus().withNewAcceptedNames().withKind("RobustModel").endAcceptedNames().endStatus()
                .build();
        assertThat(CustomResourceDefinitions.isEstablished(fresh)).isFalse();
        assertThat(CustomResourceDefinitions.isEstablished(new CustomResourceDefinition())).isFalse();
        assertThat(CustomResourceDefinitions.isEstablished(null)).isFalse();
    }

    @Test
    void establishedTrueIsEstablished() {
        CustomResourceDefinition ready = new CustomResourceDefinitionBuilder()
                .withNewStatus()
                .addNewCondition().withType("NamesAccepted").withStatus("True").endCondition()
                .addNewCondition().withType("Established").withStatus("True").endCondition()
                .endStatus().build();
        assertThat(CustomResourceDefinitions.isEstablished(ready)).isTrue();
    }
}
