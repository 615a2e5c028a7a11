package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CRD upgrade path with the helm CLI on the real API server: a release of an earlier chart (its
 * RobustModel CRD without a field the current one has) upgraded to this chart has the current schema,
 * and {@code helm uninstall} leaves the CRDs and the RobustModels in place.
 */
@WithControlPlane
class HelmUpgradeCrdsTest {
    private static final String FIELD = "exposeDuringAnalysis";
    private static final String CRD = "robustmodels.robustml.io";

    @Test
    void helmUpgradeBringsTheCrdsToTheChartsSchemaAndUninstallKeepsThem(KubernetesClient client, TestNamespace ns,
            LocalControlPlane plane) throws Exception {
        Path helm = plane.kubectl().getParent().resolve("helm");
        Path previous = previousChart(Path.of("target/previous-chart"));
        String release = "crds-" + Integer.toHexString(ns.name().hashCode() & 0xfffff);
        try {
            // Other tests applied the CRDs without Helm: this release takes them over, as a user's first
            // install of a chart with templated CRDs over kubectl-applied ones does (docs/install.md).
            helm(helm, plane, "upgrade", "--install", release, previous.toString(), "--namespace", ns.name(), "--take-ownership",
                    "--set", "replicaCount=1");
            assertThat(canaryFields(client)).as("the earlier chart's CRD").doesNotContain(FIELD);

            helm(helm, plane, "upgrade", release, Chart.DIR.toString(), "--namespace", ns.name(), "--set", "replicaCount=1");
            assertThat(canaryFields(client)).as("helm upgrade updated the CRD").contains(FIELD);

            RobustModel model = client.getKubernetesSerialization().unmarshal("""
                    apiVersion: robustml.io/v1alpha1
                    kind: RobustModel
                    metadata: {name: kept, namespace: %s}
                    spec:
                      model: {uri: "file:///models/m.pt", format: torchscript, sha256: "%s"}
                      threatModel: {attacks: [{type: noise, epsilon: "0.1"}]}
                      slos: {maxAdversarialSuccessRate: "0.3"}
                      rollout:
                        canary: {replicas: 1, exposeDuringAnalysis: true}
                        analysis: {dataset: "file:///usr/share/datasets/fashion-mnist", samples: 100}
                    """.formatted(ns.name(), "0".repeat(64)), RobustModel.class);
            client.resource(model).create();
            assertThat(client.resources(RobustModel.class).inNamespace(ns.name()).withName("kept").get().getSpec().rollout.canary
                    .exposeDuringAnalysis).as("the new field is stored, not pruned").isTrue();
            helm(helm, plane, "uninstall", release, "--namespace", ns.name());
            assertThat(client.apiextensions().v1().customResourceDefinitions().withName(CRD).get()).as("kept by helm uninstall").isNotNull();
            assertThat(client.resources(RobustModel.class).inNamespace(ns.name()).withName(model.getMetadata().getName()).get())
                    .as("and with it the models").isNotNull();
        } finally {
            // As the other tests expect them: the current schema, owned by no release.
            for (String crd : List.of("robustmodels.robustml.io-v1.yaml", "adversarialtestruns.robustml.io-v1.yaml")) {
                CustomResourceDefinition applied = CustomResourceDefinitions.applyFromFile(client, Chart.DIR.resolve("files/crds").resolve(crd));
                client.apiextensions().v1().customResourceDefinitions().withName(applied.getMetadata().getName()).edit(c -> {
                    if (c.getMetadata().getAnnotations() != null) {
                        c.getMetadata().getAnnotations().keySet().removeIf(k -> k.startsWith("meta.helm.sh/"));
                    }
                    if (c.getMetadata().getLabels() != null) {
                        c.getMetadata().getLabels().remove("app.kubernetes.io/managed-by");
                    }
                    return c;
                });
            }
        }
    }

    /** The fields of spec.rollout.canary in the cluster's RobustModel schema. */
    private static java.util.Set<String> canaryFields(KubernetesClient client) {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
        return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties()
                .get("rollout").getProperties().get("canary").getProperties().keySet();
    }

    /** This chart as an earlier version: its RobustModel CRD without {@link #FIELD}. */
    private static Path previousChart(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        for (String part : List.of("Chart.yaml", "values.yaml", "values.schema.json", "templates", "files", "dashboards", "argocd")) {
            Path from = Chart.DIR.resolve(part);
            if (!Files.exists(from)) {
                continue;
            }
            try (var walk = Files.walk(from)) {
                for (Path p : walk.toList()) {
                    Path to = dir.resolve(Chart.DIR.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.createDirectories(to.getParent());
                        Files.copy(p, to);
                    }
                }
            }
        }
        Path crd = dir.resolve("files/crds/" + CRD + "-v1.yaml");
        List<String> kept = new ArrayList<>();
        int dropIndent = -1;
        for (String line : Files.readAllLines(crd)) {
            int indent = line.length() - line.stripLeading().length();
            if (dropIndent >= 0 && indent > dropIndent) {
                continue;
            }
            dropIndent = line.stripLeading().startsWith(FIELD + ":") ? indent : -1;
            if (dropIndent < 0) {
                kept.add(line);
            }
        }
        Files.write(crd, kept, StandardCharsets.UTF_8);
        Path chart = dir.resolve("Chart.yaml");
        Files.writeString(chart, Files.readString(chart).replaceFirst("(?m)^version: .*$", "version: 0.0.1"));
        return dir;
    }

    private static void helm(Path helm, LocalControlPlane plane, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(helm.toString(), "--kubeconfig", plane.kubeconfig().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }
}
