package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;

/** Serving pods run as their own ServiceAccount with no API token: they never call the API server. */
public final class ServingServiceAccount {
    private ServingServiceAccount() {
    }

    public static String name(RobustModel model) {
        return model.getMetadata().getName() + "-serving";
    }

    public static ServiceAccount desired(RobustModel model) {
        return new ServiceAccountBuilder()
                .withMetadata(Owners.ownedMetadata(model, name(model), ServingDeployment.COMPONENT))
                .withAutomountServiceAccountToken(false)
                .build();
    }
}
