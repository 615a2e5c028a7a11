package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;

/**
 * The serving Deployment of a RobustModel as a pure function of the resource: the model server
 * (loopback only) behind the detector sidecar, the only port exposed. Pods meet the "restricted"
 * Pod Security Standard so they run in locked-down namespaces.
 */
public final class ServingDeployment {
    public static final String COMPONENT = "serving";
    public static final String MODEL_SERVER_CONTAINER = "model-server";
    public static final String SIDECAR_CONTAINER = "sidecar-detector";
    public static final int SIDECAR_PORT = 8080;
    public static final int MODEL_SERVER_PORT = 8081;

    private ServingDeployment() {
    }

    public static String name(RobustModel model) {
        return model.getMetadata().getName();
    }

    /** spec.serving.replicas, with the schema's default for objects that never went through the API server. */
    public static int desiredReplicas(RobustModel model) {
        var serving = model.getSpec().serving;
        return serving == null || serving.replicas == null ? 1 : serving.replicas;
    }

    public static Deployment desired(RobustModel model, ServingImages images) {
        var spec = model.getSpec();
        int replicas = desiredReplicas(model);
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name(model))
                .withNamespace(model.getMetadata().getNamespace())
                .withLabels(Labels.of(model, COMPONENT))
                .withOwnerReferences(Owners.controlledBy(model))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector().withMatchLabels(Labels.selector(model)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.of(model, COMPONENT)).endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(sidecar(images), modelServer(model, images))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Container sidecar(ServingImages images) {
        return new ContainerBuilder()
                .withName(SIDECAR_CONTAINER)
                .withImage(images.sidecarDetector())
                .addNewPort().withName("http").withContainerPort(SIDECAR_PORT).withProtocol("TCP").endPort()
                .addNewEnv().withName("ROBUSTML_UPSTREAM").withValue("http://127.0.0.1:" + MODEL_SERVER_PORT).endEnv()
                .withSecurityContext(restricted())
                .build();
    }

    private static Container modelServer(RobustModel model, ServingImages images) {
        var m = model.getSpec().model;
        return new ContainerBuilder()
                .withName(MODEL_SERVER_CONTAINER)
                .withImage(images.modelServer())
                .addNewEnv().withName("ROBUSTML_MODEL_URI").withValue(m.uri).endEnv()
                .addNewEnv().withName("ROBUSTML_MODEL_FORMAT").withValue(m.format.name().toLowerCase(java.util.Locale.ROOT)).endEnv()
                .addNewEnv().withName("ROBUSTML_MODEL_SHA256").withValue(m.sha256).endEnv()
                // Loopback only: nothing reaches the model server except through the sidecar.
                .addNewEnv().withName("QUARKUS_HTTP_HOST").withValue("127.0.0.1").endEnv()
                .addNewEnv().withName("QUARKUS_HTTP_PORT").withValue(Integer.toString(MODEL_SERVER_PORT)).endEnv()
                .withSecurityContext(restricted())
                .build();
    }

    private static SecurityContext restricted() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().addToDrop("ALL").endCapabilities()
                .build();
    }
}
