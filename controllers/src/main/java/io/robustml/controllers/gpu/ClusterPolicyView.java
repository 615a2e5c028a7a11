package io.robustml.controllers.gpu;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;
import java.util.Optional;

/**
 * The fields of NVIDIA's GPU Operator {@code ClusterPolicy} ({@code nvidia.com/v1}, cluster-scoped)
 * the operator reads: the MIG strategy, the device plugin's config ConfigMap and its default key, and
 * the namespace the GPU Operator runs in (where that ConfigMap lives).
 *
 * @param migStrategy   {@code spec.mig.strategy}: none, single or mixed (none when unset)
 * @param configMap     {@code spec.devicePlugin.config.name}, or null
 * @param defaultConfig {@code spec.devicePlugin.config.default}, or null
 * @param namespace     {@code status.namespace}, or null when the GPU Operator has not reported it
 */
public record ClusterPolicyView(String name, String migStrategy, String configMap, String defaultConfig, String namespace) {
    public static final String GROUP = "nvidia.com";
    public static final String VERSION = "v1";
    public static final String KIND = "ClusterPolicy";
    public static final String PLURAL = "clusterpolicies";
    public static final String CRD_NAME = PLURAL + "." + GROUP;
    /** Where the GPU Operator's Helm chart installs it unless told otherwise. */
    public static final String DEFAULT_NAMESPACE = "gpu-operator";

    public static ClusterPolicyView of(GenericKubernetesResource policy) {
        Map<String, Object> props = policy.getAdditionalProperties();
        String strategy = string(props, "spec", "mig", "strategy");
        return new ClusterPolicyView(policy.getMetadata().getName(), strategy == null ? "none" : strategy,
                string(props, "spec", "devicePlugin", "config", "name"),
                string(props, "spec", "devicePlugin", "config", "default"),
                string(props, "status", "namespace"));
    }

    /** The namespace of the device plugin's ConfigMap. */
    public String configNamespace() {
        return namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    }

    public boolean runsMig() {
        return "single".equals(migStrategy) || "mixed".equals(migStrategy);
    }

    @SuppressWarnings("unchecked")
    static String string(Map<String, Object> root, String... path) {
        Object current = root;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = ((Map<String, Object>) map).get(key);
        }
        return current == null ? null : current.toString();
    }

    /** The one the operator follows when a cluster has several (the GPU Operator itself uses one): the first by name. */
    public static Optional<ClusterPolicyView> choose(java.util.Collection<GenericKubernetesResource> policies) {
        return policies.stream().sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
                .findFirst().map(ClusterPolicyView::of);
    }
}
