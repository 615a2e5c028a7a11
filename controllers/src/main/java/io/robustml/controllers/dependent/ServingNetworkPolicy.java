package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;
import java.util.Map;

/**
 * No bypass: the serving pods (every revision) admit only the sidecar's port, from anywhere, and its
 * metrics port, from the monitoring namespace and the operator's own (the post-promotion guard reads the
 * sidecars' counters). The model server's port is admitted from nowhere, so
 * even a custom runtime that cannot bind loopback is reachable only through the sidecar (where the
 * cluster's network plugin enforces NetworkPolicy).
 */
public final class ServingNetworkPolicy {
    /** Namespace whose pods may scrape the sidecars' metrics; the operator's ROBUSTML_MONITORING_NAMESPACE. */
    public static final String DEFAULT_MONITORING_NAMESPACE = "monitoring";

    private ServingNetworkPolicy() {
    }

    public static String name(RobustModel model) {
        return ServingServiceAccount.name(model);
    }

    public static String monitoringNamespace() {
        String configured = System.getenv("ROBUSTML_MONITORING_NAMESPACE");
        return configured == null || configured.isBlank() ? DEFAULT_MONITORING_NAMESPACE : configured.trim();
    }

    /** The operator's namespace (the chart's POD_NAMESPACE), when it runs in a pod. */
    public static java.util.Optional<String> operatorNamespace() {
        String own = System.getenv("POD_NAMESPACE");
        return own == null || own.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(own.trim());
    }

    public static NetworkPolicy desired(RobustModel model, String monitoringNamespace) {
        return desired(model, monitoringNamespace, java.util.Optional.empty());
    }

    public static NetworkPolicy desired(RobustModel model, String monitoringNamespace, java.util.Optional<String> operatorNamespace) {
        java.util.List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> scrapers = new java.util.ArrayList<>();
        scrapers.add(namespace(monitoringNamespace));
        operatorNamespace.filter(n -> !n.equals(monitoringNamespace)).ifPresent(n -> scrapers.add(namespace(n)));
        return new NetworkPolicyBuilder()
                .withMetadata(Owners.ownedMetadata(model, name(model), ServingDeployment.COMPONENT))
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(Labels.servingSelector(model)).endPodSelector()
                .withPolicyTypes("Ingress")
                .withIngress(new NetworkPolicyIngressRuleBuilder()
                                .withPorts(port(ServingDeployment.SIDECAR_PORT)).build(),
                        new NetworkPolicyIngressRuleBuilder()
                                .withFrom(scrapers)
                                .withPorts(port(ServingDeployment.SIDECAR_METRICS_PORT)).build())
                .endSpec()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer namespace(String name) {
        return new NetworkPolicyPeerBuilder().withNewNamespaceSelector()
                .withMatchLabels(Map.of("kubernetes.io/metadata.name", name)).endNamespaceSelector().build();
    }

    private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort port(int port) {
        return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
    }
}
