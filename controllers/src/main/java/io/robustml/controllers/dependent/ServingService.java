package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;

/** The Service clients use: only the sidecar's port is exposed, never the model server's. */
public final class ServingService {
    private ServingService() {
    }

    public static Service desired(RobustModel model) {
        return new ServiceBuilder()
                .withMetadata(Owners.ownedMetadata(model, model.getMetadata().getName(), ServingDeployment.COMPONENT))
                .withNewSpec()
                .withSelector(Labels.selector(model))
                .addNewPort().withName("http").withPort(80).withNewTargetPort("http").withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withPort(9090).withNewTargetPort("metrics").withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
