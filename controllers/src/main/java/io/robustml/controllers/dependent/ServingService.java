package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;

/** The Service clients use: only the sidecar's port is exposed, never the model server's. */
public final class ServingService {
    /**
     * The revision the model's Service selects while no revision has passed its analysis: no serving
     * pod carries it (revisions are ten hex digits), so the first release serves no client before its verdict.
     */
    public static final String NO_PASSED_REVISION = "none-passed";

    private ServingService() {
    }

    /**
     * The Service of one revision ({@code <model>-<revision>}): the tester's endpoint for a canary, so
     * the analysis measures exactly that revision, through its sidecar.
     */
    public static Service forRevision(RobustModel model, String revision) {
        java.util.Map<String, String> selector = Labels.servingSelector(model);
        selector.put(Labels.REVISION, revision);
        io.fabric8.kubernetes.api.model.ObjectMeta meta = Owners.ownedMetadata(model,
                ServingDeployment.name(model, revision), ServingDeployment.COMPONENT);
        meta.getLabels().put(Labels.REVISION, revision);
        return new ServiceBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName("http").withPort(80).withNewTargetPort("http").withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    /** {@code rollout.canary.exposeDuringAnalysis}: clients may reach a canary before its verdict. */
    public static boolean exposesCanary(RobustModel model) {
        var rollout = model.getSpec().rollout;
        return rollout != null && rollout.canary != null && Boolean.TRUE.equals(rollout.canary.exposeDuringAnalysis);
    }

    /** In-cluster URL of a revision's Service. */
    public static String revisionUrl(RobustModel model, String revision) {
        return "http://" + ServingDeployment.name(model, revision) + "." + model.getMetadata().getNamespace() + ".svc";
    }

    /**
     * The model's Service: the stable revision's pods only, so no client reaches a canary before its
     * verdict; with {@code rollout.canary.exposeDuringAnalysis} and a canary sized by replicas, every
     * serving pod of stable and canary, so traffic splits by replicas. A canary sized by weight is reached
     * through the HTTPRoute, never through this Service. Before any revision has passed (the first
     * release) it selects no pod at all.
     */
    public static Service desired(RobustModel model) {
        return desired(model, model.getStatus() == null ? null : model.getStatus().stableRevision);
    }

    /** The model's Service for a given stable revision (the reconciler's, just decided). */
    public static Service desired(RobustModel model, String stable) {
        java.util.Map<String, String> selector = Labels.servingSelector(model);
        if (stable == null) {
            selector.put(Labels.REVISION, NO_PASSED_REVISION);
        } else if (ServingRoute.weight(model).isPresent() || !exposesCanary(model)) {
            selector.put(Labels.REVISION, stable);
        }
        return new ServiceBuilder()
                .withMetadata(Owners.ownedMetadata(model, model.getMetadata().getName(), ServingDeployment.COMPONENT))
                .withNewSpec()
                .withSelector(selector)
                .addNewPort().withName("http").withPort(80).withNewTargetPort("http").withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withPort(9090).withNewTargetPort("metrics").withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
