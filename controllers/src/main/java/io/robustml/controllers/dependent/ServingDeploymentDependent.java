package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.robustml.crds.RobustModel;

/** Keeps the serving Deployment in the shape {@link ServingDeployment} computes (server-side apply). */
public class ServingDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, RobustModel> {
    private final ServingImages images;

    public ServingDeploymentDependent() {
        this(ServingImages.DEFAULTS);
    }

    public ServingDeploymentDependent(ServingImages images) {
        super(Deployment.class);
        this.images = images;
    }

    @Override
    protected Deployment desired(RobustModel primary, Context<RobustModel> context) {
        return ServingDeployment.desired(primary, images);
    }
}
