package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chart rendered offline: lint, default and non-default values, the values schema. */
class ChartTemplateTest {

    @Test
    void lintsStrictlyClean() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void defaultsRunTwoRestrictedOperatorReplicasWatchingAllNamespaces() {
        List<HasMetadata> objects = Chart.render(Map.of());
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "ServiceAccount/robustml-robustml-operator", "ClusterRole/robustml-robustml-operator",
                "ClusterRoleBinding/robustml-robustml-operator", "Role/robustml-robustml-operator-leader-election",
                "ClusterRole/robustml-robustml-operator-gpu-platform", "ClusterRoleBinding/robustml-robustml-operator-gpu-platform",
                "RoleBinding/robustml-robustml-operator-leader-election", "Deployment/robustml-robustml-operator",
                "Service/robustml-robustml-operator-metrics", "PodDisruptionBudget/robustml-robustml-operator",
                "CustomResourceDefinition/robustmodels.robustml.io", "CustomResourceDefinition/adversarialtestruns.robustml.io");
        Deployment d = Chart.one(objects, Deployment.class, "robustml-robustml-operator");
        assertThat(d.getSpec().getReplicas()).as("one leader and a standby").isEqualTo(2);
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .singleElement().satisfies(t -> assertThat(t.getPodAffinityTerm().getTopologyKey())
                        .isEqualTo("kubernetes.io/hostname"));
        assertThat(Chart.render(Map.of("replicaCount", 1))).noneMatch(o -> o.getKind().equals("PodDisruptionBudget"));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("robustml/operator:" + projectVersion());
        assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(env(c)).contains("ROBUSTML_IMAGES_MODEL_SERVER=robustml/model-server:" + projectVersion(),
                "ROBUSTML_IMAGES_SIDECAR_DETECTOR=robustml/sidecar-detector:" + projectVersion(),
                "ROBUSTML_IMAGES_ADVERSARIAL_TESTER=robustml/adversarial-tester:" + projectVersion(),
                "ROBUSTML_IMAGES_PULL_POLICY=IfNotPresent");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("QUARKUS_OPERATOR_SDK_CONTROLLERS_ROBUSTMODEL_NAMESPACES"));

        ClusterRole role = Chart.one(objects, ClusterRole.class, "robustml-robustml-operator");
        assertThat(role.getRules()).as("never a wildcard").allSatisfy(r -> {
            assertThat(r.getVerbs()).doesNotContain("*");
            assertThat(r.getResources()).doesNotContain("*");
        });
        assertThat(verbs(role.getRules(), "robustml.io", "robustmodels")).as("the spec is never written")
                .containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(role.getRules(), "", "secrets")).as("the tester key is created, no Secret is ever read")
                .containsExactly("create");
        assertThat(verbs(role.getRules(), "gateway.networking.k8s.io", "httproutes")).isNotEmpty();
    }

    @Test
    void namespacedModeGrantsRolesOnlyInTheWatchedNamespaces() {
        List<HasMetadata> objects = Chart.render(Map.of("watchNamespaces[0]", "shop", "watchNamespaces[1]", "fraud",
                "replicaCount", 2, "logFormat", "json", "metrics.serviceMonitor.enabled", true, "rbac.gatewayApi", false,
                "rbac.gpuPlatform.enabled", false));
        assertThat(objects).noneMatch(o -> o.getKind().startsWith("Cluster"));
        List<Role> roles = objects.stream().filter(Role.class::isInstance).map(Role.class::cast)
                .filter(r -> r.getMetadata().getName().equals("robustml-robustml-operator")).toList();
        assertThat(roles).extracting(r -> r.getMetadata().getNamespace()).containsExactlyInAnyOrder("shop", "fraud");
        assertThat(verbs(roles.get(0).getRules(), "gateway.networking.k8s.io", "httproutes")).isEmpty();
        Deployment d = Chart.one(objects, Deployment.class, "robustml-robustml-operator");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .contains("QUARKUS_OPERATOR_SDK_CONTROLLERS_ROBUSTMODEL_NAMESPACES=shop,fraud",
                        "QUARKUS_LOG_CONSOLE_JSON_ENABLED=true");
        assertThat(objects).anyMatch(o -> o.getKind().equals("ServiceMonitor"));
    }

    @Test
    void theGpuSharingConfigIsReadableOnlyInTheNamedGpuOperatorNamespace() {
        List<HasMetadata> objects = Chart.render(Map.of("rbac.gpuPlatform.gpuOperatorNamespace", "gpu-operator"));
        Role role = Chart.one(objects, Role.class, "robustml-robustml-operator-gpu-sharing-config");
        assertThat(role.getMetadata().getNamespace()).isEqualTo("gpu-operator");
        assertThat(role.getRules()).singleElement().satisfies(r -> {
            assertThat(r.getResources()).containsExactly("configmaps");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        assertThat(objects).anyMatch(o -> o.getKind().equals("RoleBinding")
                && o.getMetadata().getName().equals("robustml-robustml-operator-gpu-sharing-config"));
    }

    @Test
    void imagesComeFromOneRegistryWithTagsOrPinnedDigests() {
        String digest = "sha256:" + "ab".repeat(32);
        Deployment d = Chart.one(Chart.render(Map.of("images.registry", "127.0.0.1:15000", "images.tag", "1.2.3",
                "images.pullPolicy", "", "images.operator.tag", "op-1", "images.modelServer.digest", digest)),
                Deployment.class, "robustml-robustml-operator");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("127.0.0.1:15000/robustml/operator:op-1");
        assertThat(c.getImagePullPolicy()).as("\"\" leaves Kubernetes' default").isNull();
        assertThat(env(c)).contains("ROBUSTML_IMAGES_MODEL_SERVER=127.0.0.1:15000/robustml/model-server@" + digest,
                "ROBUSTML_IMAGES_SIDECAR_DETECTOR=127.0.0.1:15000/robustml/sidecar-detector:1.2.3",
                "ROBUSTML_IMAGES_ADVERSARIAL_TESTER=127.0.0.1:15000/robustml/adversarial-tester:1.2.3")
                .noneMatch(e -> e.startsWith("ROBUSTML_IMAGES_PULL_POLICY="));
    }

    /** The images are tagged with the Maven project version (scripts/images); the chart's appVersion names them. */
    @Test
    void appVersionIsTheProjectVersion() throws IOException {
        assertThat(Files.readString(Chart.DIR.resolve("Chart.yaml"))).contains("appVersion: \"" + projectVersion() + "\"");
    }

    private static String projectVersion() {
        return System.getProperty("robustml.project.version", "unset");
    }

    private static List<String> env(Container c) {
        return c.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"replicaCount=0", "logFormat=xml", "images.pullPolicy=Sometimes", "watchNamespaces[0]=Shop",
        "unknownKey=1", "metrics.serviceMonitor.interval=soon", "image.repository=robustml/operator",
        "images.modelServer.digest=sha256:short", "images.operator.tag=bad tag", "images.registry=https://r.example"})
    void theValuesSchemaRejectsWrongValues(String setting) {
        String[] kv = setting.split("=", 2);
        Object value = kv[1].matches("-?\\d+") ? Integer.valueOf(kv[1]) : kv[1];
        assertThatThrownBy(() -> Chart.render(Map.of(kv[0], value))).hasMessageContaining("values don't meet the specifications");
    }

    @ParameterizedTest
    @ValueSource(strings = {"robustmodels.robustml.io-v1", "adversarialtestruns.robustml.io-v1"})
    void installsTheCrdsTheBuildGenerates(String name) throws IOException {
        Path generated = Chart.DIR.resolve("../crds/generated/" + name + ".yml").normalize();
        assertThat(Chart.DIR.resolve("files/crds/" + name + ".yaml"))
                .as("helm-chart/files/crds is a copy of crds/generated: cp crds/generated/%s.yml helm-chart/files/crds/%s.yaml",
                        name, name)
                .hasContent(Files.readString(generated));
        CustomResourceDefinition rendered = Chart.one(Chart.render(Map.of()), CustomResourceDefinition.class,
                name.substring(0, name.lastIndexOf('-')));
        CustomResourceDefinition file = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(Files.readString(generated),
                CustomResourceDefinition.class);
        assertThat(rendered.getSpec()).as("the chart renders the generated schema unchanged").isEqualTo(file.getSpec());
        assertThat(rendered.getMetadata().getAnnotations()).as("helm uninstall and an Argo CD prune leave it")
                .containsEntry("helm.sh/resource-policy", "keep").containsEntry("argocd.argoproj.io/sync-options", "Delete=false");
    }

    @Test
    void theCrdsCanBeLeftToHelmUninstallOrToSomeoneElse() {
        assertThat(Chart.render(Map.of("crds.keep", false)).stream().filter(CustomResourceDefinition.class::isInstance))
                .hasSize(2).allSatisfy(c -> assertThat(c.getMetadata().getAnnotations()).isNullOrEmpty());
        assertThat(Chart.render(Map.of("crds.install", false))).noneMatch(CustomResourceDefinition.class::isInstance);
    }

    static List<String> verbs(List<PolicyRule> rules, String group, String resource) {
        return rules.stream().filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
                .flatMap(r -> r.getVerbs().stream()).toList();
    }
}
