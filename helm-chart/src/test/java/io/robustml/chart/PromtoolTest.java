package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.robustml.controlplane.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's PrometheusRule and every dashboard query through Prometheus' own parser and rule checker
 * ({@code promtool check rules}); the alerts firing on series the scenarios recorded are checked by the
 * real-node scenarios (RealClusterScenariosTest), which record them.
 */
class PromtoolTest {
    private static final Path DIR = Path.of("target/promtool");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** The rendered PrometheusRule's groups, as a Prometheus rules file. */
    static Path rulesFile(Path file) throws IOException {
        List<HasMetadata> objects = Chart.render(AlertsAndDashboardsTest.ON);
        GenericKubernetesResource rule = Chart.one(objects, GenericKubernetesResource.class, "robustml-robustml-operator");
        Files.createDirectories(file.getParent());
        Files.writeString(file, YAML.asYaml(rule.getAdditionalProperties().get("spec")));
        return file;
    }

    @Test
    void theAlertRulesPassPromtoolsCheck() throws IOException {
        String out = Promtool.checkRules(rulesFile(DIR.resolve("rules.yaml")));
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void everyDashboardQueryParses() throws IOException {
        List<Map<String, Object>> rules = new ArrayList<>();
        List<HasMetadata> objects = Chart.render(AlertsAndDashboardsTest.ON);
        for (String name : List.of("executive", "on-call", "debug")) {
            ConfigMap cm = Chart.one(objects, ConfigMap.class, "robustml-robustml-operator-" + name);
            JsonNode dashboard = new ObjectMapper().readTree(cm.getData().get("robustml-" + name + ".json"));
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    Map<String, Object> rule = new LinkedHashMap<>();
                    rule.put("record", "robustml:dashboard_" + name.replace('-', '_') + ":" + rules.size());
                    rule.put("expr", grafanaVariablesReplaced(target.path("expr").asText()));
                    rules.add(rule);
                }
            }
        }
        assertThat(rules).hasSizeGreaterThan(10);
        Path file = DIR.resolve("dashboards.yaml");
        Files.createDirectories(DIR);
        Files.writeString(file, YAML.asYaml(Map.of("groups", List.of(Map.of("name", "dashboards", "rules", rules)))));
        assertThat(Promtool.checkRules(file)).contains("SUCCESS: " + rules.size() + " rules found");
    }

    @Test
    void aQueryPrometheusCannotParseFailsTheCheck() throws IOException {
        Path file = DIR.resolve("broken.yaml");
        Files.createDirectories(DIR);
        Files.writeString(file, YAML.asYaml(Map.of("groups", List.of(Map.of("name", "broken", "rules",
                List.of(Map.of("record", "robustml:broken", "expr", "sum by (job (rate(robustml_sidecar_requests_total[5m]))")))))));
        assertThatThrownBy(() -> Promtool.checkRules(file)).hasMessageContaining("parse error");
    }

    /** Grafana's variables as Prometheus would see them once Grafana has substituted them. */
    static String grafanaVariablesReplaced(String expr) {
        return expr.replaceAll("\\$__(rate_interval|interval|range)", "5m").replaceAll("\\$\\{?[a-zA-Z_]\\w*}?", "x");
    }
}
