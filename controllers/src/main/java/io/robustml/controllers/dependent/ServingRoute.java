package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RolloutSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Gateway API {@code HTTPRoute} of a model whose canary is sized by weight
 * ({@code spec.rollout.canary.weight}): one rule whose backends are the revisions' own Services,
 * stable with {@code 100 - weight} and the canary with {@code weight} — but only when the spec exposes the
 * canary during its analysis ({@code exposeDuringAnalysis}), and only once its pods are Ready, so traffic
 * never reaches a canary that cannot answer; otherwise the canary gets 0 until it has passed. Without a stable revision
 * (the first release) the only revision gets 0 until it passes: no client traffic before a verdict. Kept as a generic resource: the operator
 * needs no Gateway API model, and clusters without the Gateway API only miss this object.
 */
public final class ServingRoute {
    public static final String API_VERSION = "gateway.networking.k8s.io/v1";
    public static final String KIND = "HTTPRoute";

    private ServingRoute() {
    }

    /** The canary's weight, when the model is rolled out by weight. */
    public static Optional<Integer> weight(RobustModel model) {
        RolloutSpec rollout = model.getSpec().rollout;
        return rollout == null || rollout.canary == null ? Optional.empty() : Optional.ofNullable(rollout.canary.weight);
    }

    /** Backend weights by revision, in route order (stable first); {@code canaryWeight} 0 when not exposed. */
    public static Map<String, Integer> weights(String stable, String canary, boolean canaryReady, int canaryWeight) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        boolean hasCanary = canary != null && !canary.equals(stable);
        if (stable == null) {
            if (hasCanary) {
                weights.put(canary, 0);
            }
            return weights;
        }
        int toCanary = hasCanary && canaryReady ? canaryWeight : 0;
        weights.put(stable, 100 - toCanary);
        if (hasCanary) {
            weights.put(canary, toCanary);
        }
        return weights;
    }

    /** The route, or empty when the model is not rolled out by weight or nothing runs yet. */
    public static Optional<GenericKubernetesResource> desired(RobustModel model, String stable, String canary,
            boolean canaryReady) {
        Optional<Integer> weight = weight(model);
        if (weight.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Integer> weights = weights(stable, canary, canaryReady, ServingService.exposesCanary(model) ? weight.get() : 0);
        if (weights.isEmpty()) {
            return Optional.empty();
        }
        RolloutSpec.GatewayRef gateway = model.getSpec().rollout.canary.gateway;
        Map<String, Object> parent = new LinkedHashMap<>();
        parent.put("group", "gateway.networking.k8s.io");
        parent.put("kind", "Gateway");
        parent.put("name", gateway.name);
        if (gateway.namespace != null) {
            parent.put("namespace", gateway.namespace);
        }
        if (gateway.sectionName != null) {
            parent.put("sectionName", gateway.sectionName);
        }
        List<Map<String, Object>> backends = new ArrayList<>();
        weights.forEach((revision, w) -> {
            Map<String, Object> backend = new LinkedHashMap<>();
            backend.put("group", "");
            backend.put("kind", "Service");
            backend.put("name", ServingDeployment.name(model, revision));
            backend.put("port", 80);
            backend.put("weight", w);
            backends.add(backend);
        });
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("parentRefs", List.of(parent));
        if (gateway.hostnames != null && !gateway.hostnames.isEmpty()) {
            spec.put("hostnames", gateway.hostnames);
        }
        spec.put("rules", List.of(Map.of("backendRefs", backends)));

        GenericKubernetesResource route = new GenericKubernetesResource();
        route.setApiVersion(API_VERSION);
        route.setKind(KIND);
        route.setMetadata(Owners.ownedMetadata(model, model.getMetadata().getName(), ServingDeployment.COMPONENT));
        route.setAdditionalProperty("spec", spec);
        return Optional.of(route);
    }
}
