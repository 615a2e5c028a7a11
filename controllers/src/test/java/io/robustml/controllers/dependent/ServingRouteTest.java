package io.robustml.controllers.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RolloutSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingRouteTest {
    /** Weighted, with the canary exposed during its analysis (the route then carries its weight). */
    private static RobustModel weighted(int weight) {
        RobustModel model = Serialization.unmarshal(ServingRouteTest.class.getResourceAsStream("/robustmodel-minimal.yaml"),
                RobustModel.class);
        model.getMetadata().setNamespace("shop");
        model.getSpec().rollout.canary = new RolloutSpec.CanarySpec();
        model.getSpec().rollout.canary.weight = weight;
        model.getSpec().rollout.canary.exposeDuringAnalysis = true;
        model.getSpec().rollout.canary.gateway = new RolloutSpec.GatewayRef();
        model.getSpec().rollout.canary.gateway.name = "public";
        model.getSpec().rollout.canary.gateway.namespace = "infra";
        model.getSpec().rollout.canary.gateway.hostnames = List.of("fashion.example.com");
        return model;
    }

    @Test
    void theFirstRevisionTakesAllTraffic() {
        assertThat(ServingRoute.weights(null, "r1", false, 20)).as("the first release: nothing before its verdict")
                .containsExactly(Map.entry("r1", 0));
        assertThat(ServingRoute.weights(null, "r1", true, 20)).containsExactly(Map.entry("r1", 0));
        assertThat(ServingRoute.weights(null, null, false, 20)).isEmpty();
    }

    @Test
    void aCanaryGetsItsWeightOnlyOnceItsPodsAreReady() {
        assertThat(ServingRoute.weights("r1", "r2", false, 20)).containsExactly(Map.entry("r1", 100), Map.entry("r2", 0));
        assertThat(ServingRoute.weights("r1", "r2", true, 20)).containsExactly(Map.entry("r1", 80), Map.entry("r2", 20));
    }

    @Test
    void withoutACanaryStableTakesAllTraffic() {
        assertThat(ServingRoute.weights("r1", null, true, 20)).containsExactly(Map.entry("r1", 100));
        assertThat(ServingRoute.weights("r1", "r1", true, 20)).containsExactly(Map.entry("r1", 100));
    }

    @Test
    @SuppressWarnings("unchecked")
    void rendersAnHttpRouteToTheRevisionsServicesUnderTheGateway() {
        GenericKubernetesResource route = ServingRoute.desired(weighted(10), "r1", "r2", true).orElseThrow();
        assertThat(route.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(route.getKind()).isEqualTo("HTTPRoute");
        assertThat(route.getMetadata().getName()).isEqualTo("fashion-classifier");
        assertThat(route.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getController()).isTrue());
        Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
        assertThat((List<Map<String, Object>>) spec.get("parentRefs")).singleElement().satisfies(p -> {
            assertThat(p).containsEntry("name", "public").containsEntry("namespace", "infra").containsEntry("kind", "Gateway");
        });
        assertThat(spec.get("hostnames")).isEqualTo(List.of("fashion.example.com"));
        List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get("rules");
        assertThat((List<Map<String, Object>>) rules.get(0).get("backendRefs"))
                .extracting(b -> b.get("name") + ":" + b.get("port") + ":" + b.get("weight"))
                .containsExactly("fashion-classifier-r1:80:90", "fashion-classifier-r2:80:10");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCanaryNotExposedDuringItsAnalysisGetsNoWeight() {
        RobustModel model = weighted(10);
        model.getSpec().rollout.canary.exposeDuringAnalysis = null; // the default
        Map<String, Object> spec = (Map<String, Object>) ServingRoute.desired(model, "r1", "r2", true).orElseThrow()
                .getAdditionalProperties().get("spec");
        assertThat((List<Map<String, Object>>) ((List<Map<String, Object>>) spec.get("rules")).get(0).get("backendRefs"))
                .extracting(b -> b.get("name") + ":" + b.get("weight"))
                .containsExactly("fashion-classifier-r1:100", "fashion-classifier-r2:0");
    }

    @Test
    void aModelSizedByReplicasHasNoRoute() {
        RobustModel model = weighted(10);
        model.getSpec().rollout.canary = null;
        assertThat(ServingRoute.desired(model, "r1", "r2", true)).isEmpty();
    }

    @Test
    void theModelsServiceSelectsStableOnlyUnlessACanaryByReplicasIsExposed() {
        RobustModel model = weighted(10);
        model.setStatus(new RobustModelStatus());
        model.getStatus().stableRevision = "r1";
        assertThat(ServingService.desired(model).getSpec().getSelector()).as("weighted: the route reaches the canary")
                .containsEntry("robustml.io/revision", "r1");
        model.getSpec().rollout.canary = null; // by replicas, the default: not exposed
        assertThat(ServingService.desired(model).getSpec().getSelector()).containsEntry("robustml.io/revision", "r1");
        model.getSpec().rollout.canary = new RolloutSpec.CanarySpec();
        model.getSpec().rollout.canary.replicas = 1;
        model.getSpec().rollout.canary.exposeDuringAnalysis = true;
        assertThat(ServingService.desired(model).getSpec().getSelector()).as("exposed: stable and canary by replicas")
                .doesNotContainKey("robustml.io/revision");
    }

    @Test
    void beforeAnyRevisionHasPassedTheModelsServiceSelectsNoPod() {
        RobustModel model = weighted(10);
        model.getSpec().rollout.canary = null; // by replicas
        assertThat(ServingService.desired(model, null).getSpec().getSelector())
                .containsEntry("robustml.io/revision", ServingService.NO_PASSED_REVISION);
        assertThat(ServingService.desired(model, "r1").getSpec().getSelector()).containsEntry("robustml.io/revision", "r1");
    }
}
