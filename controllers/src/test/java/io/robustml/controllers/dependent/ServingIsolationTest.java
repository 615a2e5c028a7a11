package io.robustml.controllers.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What isolates a serving pod: who may reach it, what its sidecar may read, where its secrets go. */
class ServingIsolationTest {
    private static RobustModel fixture() {
        RobustModel model = Serialization.unmarshal(ServingIsolationTest.class.getResourceAsStream("/robustmodel-minimal.yaml"),
                RobustModel.class);
        model.getMetadata().setNamespace("shop");
        return model;
    }

    private static DetectorSpec.TrustedProxy proxy(String cidr) {
        DetectorSpec.TrustedProxy p = new DetectorSpec.TrustedProxy();
        p.cidr = cidr;
        return p;
    }

    private static PodSpec pod(RobustModel model) {
        return ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 1).getSpec().getTemplate().getSpec();
    }

    private static Container container(PodSpec pod, String name) {
        return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theNetworkPolicyAdmitsOnlyTheSidecarAndItsMetricsFromMonitoring() {
        var policy = ServingNetworkPolicy.desired(fixture(), "observability");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("robustml.io/model", "fashion-classifier")
                .containsEntry("app.kubernetes.io/component", "serving").doesNotContainKey("robustml.io/revision");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        var rules = policy.getSpec().getIngress();
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).getFrom()).isNullOrEmpty();
        assertThat(rules.get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(ServingDeployment.SIDECAR_PORT);
        assertThat(rules.get(1).getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsExactly(ServingDeployment.SIDECAR_METRICS_PORT);
        assertThat(rules.get(1).getFrom()).singleElement().satisfies(peer -> assertThat(peer.getNamespaceSelector()
                .getMatchLabels()).containsExactly(java.util.Map.entry("kubernetes.io/metadata.name", "observability")));
        assertThat(ServingNetworkPolicy.desired(fixture(), "observability", java.util.Optional.of("robustml-system")).getSpec()
                .getIngress().get(1).getFrom()).as("the operator's guard reads the counters too")
                .extracting(peer -> peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                .containsExactly("observability", "robustml-system");
        // The model server's port is admitted by no rule.
        assertThat(rules).flatExtracting(r -> r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .doesNotContain(ServingDeployment.DEFAULT_MODEL_SERVER_PORT);
    }

    @Test
    void onlyTheSidecarMountsAnApiTokenAndItsRoleReadsOnlyItsDetectorConfig() {
        PodSpec pod = pod(fixture());
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container sidecar = container(pod, ServingDeployment.SIDECAR_CONTAINER);
        Container server = container(pod, ServingDeployment.MODEL_SERVER_CONTAINER);
        assertThat(sidecar.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(ServingDeployment.SIDECAR_TOKEN_VOLUME);
            assertThat(m.getMountPath()).isEqualTo(ServingDeployment.SERVICE_ACCOUNT_PATH);
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(server.getVolumeMounts()).noneSatisfy(m -> assertThat(m.getName()).isEqualTo(ServingDeployment.SIDECAR_TOKEN_VOLUME));
        var token = pod.getVolumes().stream().filter(v -> v.getName().equals(ServingDeployment.SIDECAR_TOKEN_VOLUME)).findFirst()
                .orElseThrow().getProjected();
        assertThat(token.getSources().get(0).getServiceAccountToken().getExpirationSeconds()).isEqualTo(3607L);
        assertThat(sidecar.getEnv()).extracting(EnvVar::getName).contains("ROBUSTML_DETECTOR_CONFIGMAP", "ROBUSTML_POD_NAMESPACE");
        assertThat(sidecar.getEnv()).filteredOn(e -> e.getName().equals("ROBUSTML_DETECTOR_CONFIGMAP")).singleElement()
                .extracting(EnvVar::getValue).isEqualTo("fashion-classifier-detector");

        var role = ServingRole.desired(fixture());
        assertThat(role.getRules()).hasSize(2);
        assertThat(role.getRules().get(0).getResources()).containsExactly("configmaps");
        assertThat(role.getRules().get(0).getResourceNames()).containsExactly("fashion-classifier-detector");
        assertThat(role.getRules().get(0).getVerbs()).containsExactly("get", "list", "watch");
        assertThat(role.getRules().get(1).getResources()).containsExactly("events");
        assertThat(role.getRules().get(1).getVerbs()).containsExactly("create");
        var binding = ServingRole.binding(fixture());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(pod.getServiceAccountName());
            assertThat(s.getNamespace()).isEqualTo("shop");
        });
    }

    @Test
    void apiKeysComeFromTheNamedSecretIntoTheSidecarOnly() {
        RobustModel model = fixture();
        model.getSpec().detector = new DetectorSpec();
        model.getSpec().detector.authentication = new DetectorSpec.AuthenticationSpec();
        model.getSpec().detector.authentication.apiKeysSecret = "fashion-api-keys";
        model.getSpec().detector.authentication.trustedProxies = List.of(proxy("10.0.0.0/8"));
        PodSpec pod = pod(model);
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(ServingDeployment.API_KEYS_VOLUME)).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("fashion-api-keys"));
        assertThat(container(pod, ServingDeployment.SIDECAR_CONTAINER).getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .contains("ROBUSTML_API_KEYS_FILE=/etc/robustml/api-keys/clients.json");
        assertThat(container(pod, ServingDeployment.MODEL_SERVER_CONTAINER).getVolumeMounts())
                .noneSatisfy(m -> assertThat(m.getName()).isEqualTo(ServingDeployment.API_KEYS_VOLUME));

        var rendered = Serialization.unmarshal(DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY),
                java.util.Map.class);
        assertThat(((java.util.Map<?, ?>) rendered.get("detector")).get("authentication")).isEqualTo(java.util.Map.of(
                "apiKeys", true, "anonymous", "deny", "trustedProxies", List.of("10.0.0.0/8")));
        assertThat(Serialization.asJson(rendered)).doesNotContain("fashion-api-keys");
    }

    @Test
    void withoutKeysButWithProxiesClientsAreTheirSourceAddress() {
        RobustModel model = fixture();
        model.getSpec().detector = new DetectorSpec();
        model.getSpec().detector.authentication = new DetectorSpec.AuthenticationSpec();
        model.getSpec().detector.authentication.trustedProxies = List.of(proxy("192.0.2.0/24"));
        var rendered = Serialization.unmarshal(DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY),
                java.util.Map.class);
        assertThat(((java.util.Map<?, ?>) rendered.get("detector")).get("authentication")).isEqualTo(java.util.Map.of(
                "apiKeys", false, "anonymous", "sourceAddress", "trustedProxies", List.of("192.0.2.0/24")));
        assertThat(pod(model).getVolumes()).noneSatisfy(v -> assertThat(v.getName()).isEqualTo(ServingDeployment.API_KEYS_VOLUME));
    }

    @Test
    void aRemoteModelIsFetchedIntoACacheWithTheSecretsCredentials() {
        RobustModel model = fixture();
        model.getSpec().model.uri = "s3://models/fashion/robust.pt";
        model.getSpec().model.credentials = new ModelSpec.CredentialsSpec();
        model.getSpec().model.credentials.secretRef = "model-store";
        PodSpec pod = pod(model);
        Container server = container(pod, ServingDeployment.MODEL_SERVER_CONTAINER);
        assertThat(server.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains(
                "ROBUSTML_MODEL_URI=s3://models/fashion/robust.pt", "ROBUSTML_MODEL_CACHE_DIR=/var/cache/robustml/model",
                "ROBUSTML_MODEL_EXIT_ON_FETCH_FAILURE=true");
        assertThat(server.getEnv()).filteredOn(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .extracting(e -> e.getName() + "<-" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey() + ":" + e.getValueFrom().getSecretKeyRef().getOptional())
                .containsExactly("AWS_ACCESS_KEY_ID<-model-store/AWS_ACCESS_KEY_ID:true",
                        "AWS_SECRET_ACCESS_KEY<-model-store/AWS_SECRET_ACCESS_KEY:true",
                        "AWS_SESSION_TOKEN<-model-store/AWS_SESSION_TOKEN:true", "AWS_REGION<-model-store/AWS_REGION:true",
                        "ROBUSTML_S3_ENDPOINT<-model-store/endpoint:true", "ROBUSTML_MODEL_TOKEN<-model-store/token:true");
        assertThat(server.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo(ServingDeployment.MODEL_CACHE_PATH);
            assertThat(m.getReadOnly()).as("writable: readOnly left out").isNull();
        });
        assertThat(container(pod, ServingDeployment.SIDECAR_CONTAINER).getEnv()).extracting(EnvVar::getName)
                .doesNotContain("AWS_SECRET_ACCESS_KEY", "ROBUSTML_MODEL_TOKEN");
        // A local model needs neither.
        PodSpec local = pod(fixture());
        assertThat(container(local, ServingDeployment.MODEL_SERVER_CONTAINER).getEnv()).extracting(EnvVar::getName)
                .doesNotContain("ROBUSTML_MODEL_EXIT_ON_FETCH_FAILURE");
        assertThat(local.getVolumes()).noneSatisfy(v -> assertThat(v.getName()).isEqualTo(ServingDeployment.MODEL_CACHE_VOLUME));
    }
}
