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
                .withNewMetadata()
                .withName(model.getMetadata().getName())
                .withNamespace(model.getMetadata().getNamespace())
                .withLabels(Labels.of(model, ServingDeployment.COMPONENT))
                .withOwnerReferences(Owners.controlledBy(model))
                .endMetadata()
                .withNewSpec()
                .withSelector(Labels.selector(model))
                .addNewPort().withName("http").withPort(80).withNewTargetPort("http").withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withPort(9090).withNewTargetPort("metrics").withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
