package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;

/** Voluntary disruptions (node drains) take at most one serving pod at a time. */
public final class ServingDisruptionBudget {
    private ServingDisruptionBudget() {
    }

    public static PodDisruptionBudget desired(RobustModel model) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(Owners.ownedMetadata(model, model.getMetadata().getName(), ServingDeployment.COMPONENT))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(Labels.servingSelector(model)).endSelector()
                .endSpec()
                .build();
    }
}
