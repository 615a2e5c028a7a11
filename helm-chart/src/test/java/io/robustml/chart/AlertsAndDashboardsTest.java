package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PrometheusRule and the Grafana dashboards: rendered, and every PromQL query names only metrics
 * the code exports (an allow-list scanned from the Micrometer meters in the modules' main sources).
 */
class AlertsAndDashboardsTest {

    /**
     * JOSDK's own meters (io.javaoperatorsdk:micrometer-support, MicrometerMetricsV2, which the Quarkus
     * extension registers): not in this repository's sources, so listed. OperatorOnRealClusterTest checks
     * the operator's real /q/metrics for reconciliations_success and reconciliations_execution_duration_seconds.
     */
    static final Set<String> JOSDK = Set.of("reconciliations_started_total", "reconciliations_success_total",
            "reconciliations_failure_total", "reconciliations_retries_total", "reconciliations_active",
            "reconciliations_queue", "reconciliations_execution_duration_seconds_count",
            "reconciliations_execution_duration_seconds_sum", "reconciliations_execution_duration_seconds_max",
            "events_received_total");

    static final Map<String, Object> ON = Map.of("metrics.prometheusRule.enabled", true, "grafana.dashboards.enabled", true);

    private static final Pattern BUILDER = Pattern.compile(
            "\\b(Counter|FunctionCounter|Timer|FunctionTimer|Gauge|TimeGauge|DistributionSummary|LongTaskTimer)\\s*\\.\\s*builder\\(\\s*\"([a-zA-Z_:][a-zA-Z0-9_:.]*)\"");
    private static final Pattern SHORTHAND = Pattern.compile("\\.(counter|timer|gauge|summary)\\(\\s*\"([a-zA-Z_:][a-zA-Z0-9_:.]*)\"");

    /** Initialised after the patterns above. */
    static final Set<String> KNOWN = knownMetrics();

    /** The Prometheus series names of every Micrometer meter registered in a module's src/main/java. */
    static Set<String> knownMetrics() {
        Set<String> names = new TreeSet<>(JOSDK);
        Path root = Chart.DIR.resolve("..").normalize();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.toString().contains("/target/")).toList()) {
                String src = Files.readString(f);
                for (Pattern p : List.of(BUILDER, SHORTHAND)) {
                    Matcher m = p.matcher(src);
                    while (m.find()) {
                        names.addAll(seriesOf(m.group(1), m.group(2).replace('.', '_')));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** What Micrometer's Prometheus registry exports for a meter (_bucket only exists with histograms; allowed). */
    static List<String> seriesOf(String type, String name) {
        return switch (type) {
            case "Counter", "FunctionCounter", "counter" -> List.of(name.endsWith("_total") ? name : name + "_total");
            case "Gauge", "TimeGauge", "gauge" -> List.of(name);
            default -> {
                String base = type.contains("Timer") || type.equals("timer") ? (name.endsWith("_seconds") ? name : name + "_seconds") : name;
                yield List.of(base + "_count", base + "_sum", base + "_max", base + "_bucket");
            }
        };
    }

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan");

    /** The metric names a PromQL expression reads (strings, label matchers, groupings and ranges removed). */
    static Set<String> metricsIn(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", "{}")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^]]*]", "[]");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(e);
        while (m.find()) {
            if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    static void assertKnown(String where, String expr) {
        Set<String> used = metricsIn(expr);
        assertThat(used).as("%s reads no metric: %s", where, expr).isNotEmpty();
        assertThat(KNOWN).as("%s: %s (known: %s)", where, expr, KNOWN).containsAll(used);
    }

    @Test
    void theAllowListHoldsTheOperatorsAndSidecarsMeters() {
        assertThat(KNOWN).contains("robustml_models", "robustml_rollout_rollbacks_total", "robustml_rollout_promotions_total",
                "robustml_analysis_runs_started_total", "robustml_sidecar_requests_total", "robustml_sidecar_flags_total",
                "robustml_sidecar_squeezing_score_bucket", "robustml_sidecar_added_latency_seconds_bucket",
                "robustml_sidecar_fingerprint_evictions_total", "robustml_model_inference_seconds_bucket");
    }

    @Test
    void theCheckerCatchesAMisspelledMetric() {
        assertThat(metricsIn("sum by (namespace, job) (rate(robustml_sidecar_flags_total{detector=\"extraction\"}[10m])) > 0"))
                .containsExactly("robustml_sidecar_flags_total");
        assertThat(metricsIn("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket[$__rate_interval]))) and on(x) b"))
                .containsExactly("a_seconds_bucket", "b");
        assertThatThrownBy(() -> assertKnown("typo", "rate(robustml_sidecar_flag_total[5m]) > 0")).isInstanceOf(AssertionError.class);
    }

    @Test
    void offByDefault() {
        assertThat(Chart.render(Map.of())).noneMatch(o -> o.getKind().equals("PrometheusRule") || o.getKind().equals("ConfigMap"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleAlertsOnlyOnExportedMetricsWithPageAndTicketSeverities() {
        List<HasMetadata> objects = Chart.render(Map.of("metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.labels.release", "kube-prometheus-stack"));
        GenericKubernetesResource rule = Chart.one(objects, GenericKubernetesResource.class, "robustml-robustml-operator");
        assertThat(rule.getKind()).isEqualTo("PrometheusRule");
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rule.getAdditionalProperties().get("spec")).get("groups");
        List<Map<String, Object>> rules = new ArrayList<>();
        groups.forEach(g -> rules.addAll((List<Map<String, Object>>) g.get("rules")));
        assertThat(rules).extracting(r -> (String) r.get("alert")).contains("RobustMLCanaryRolledBack",
                "RobustMLAnalysisInconclusive", "RobustMLModelFailed", "RobustMLReconcileErrors", "RobustMLSidecarErrorBudgetBurn",
                "RobustMLDetectorFlagBudgetBurn", "RobustMLQueryAnomaly", "RobustMLExtractionSuspected");
        for (Map<String, Object> r : rules) {
            String expr = (String) r.get("expr");
            assertKnown((String) r.get("alert"), expr);
            assertThat(expr).doesNotContain("%!", "<no value>");
            Map<String, String> labels = (Map<String, String>) r.get("labels");
            assertThat(labels.get("severity")).as((String) r.get("alert")).isIn("page", "ticket");
            assertThat(((Map<String, String>) r.get("annotations")).get("runbook_url")).contains("docs/runbooks.md#robustml");
        }
        // multi-window burn rates: each burn-rate alert has a long and a short window; fast burns page, slow ones ticket
        List<Map<String, Object>> burns = rules.stream().filter(r -> r.get("alert").equals("RobustMLDetectorFlagBudgetBurn")).toList();
        assertThat(burns).hasSize(4);
        assertThat(burns).extracting(r -> ((Map<String, String>) r.get("labels")).get("severity") + "@" + ((Map<String, String>) r.get("labels")).get("window"))
                .containsExactly("page@1h", "page@6h", "ticket@1d", "ticket@3d");
        assertThat((String) burns.get(0).get("expr")).contains("[1h]", "[5m]", "(14.4 * 0.01)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"executive", "on-call", "debug"})
    void theDashboardsParseAndQueryOnlyExportedMetrics(String name) throws IOException {
        List<HasMetadata> objects = Chart.render(ON);
        ConfigMap cm = Chart.one(objects, ConfigMap.class, "robustml-robustml-operator-" + name);
        assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode dashboard = new ObjectMapper().readTree(cm.getData().get("robustml-" + name + ".json"));
        assertThat(dashboard.path("uid").asText()).isEqualTo("robustml-" + name);
        assertThat(dashboard.path("panels")).isNotEmpty();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertKnown(name + " / " + title, target.path("expr").asText());
            }
        }
    }

    @Test
    void dashboardsGoWhereGrafanasSidecarLooks() {
        List<HasMetadata> objects = Chart.render(Map.of("grafana.dashboards.enabled", true, "grafana.dashboards.namespace", "monitoring",
                "grafana.dashboards.annotations.grafana_folder", "RobustML"));
        List<ConfigMap> maps = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast).toList();
        assertThat(maps).hasSize(3).allSatisfy(cm -> {
            assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
            assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "RobustML");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"metrics.prometheusRule.enabled=yes", "metrics.prometheusRule.thresholds.sidecarAvailabilitySlo=2",
        "metrics.prometheusRule.thresholds.typo=1", "grafana.dashboards.unknown=1", "grafana.dashboards.namespace=Monitoring"})
    void theSchemaRejectsWrongAlertAndDashboardValues(String setting) {
        String[] kv = setting.split("=", 2);
        Object value = kv[1].matches("-?\\d+") ? Integer.valueOf(kv[1]) : kv[1];
        assertThatThrownBy(() -> Chart.render(Map.of(kv[0], value))).hasMessageContaining("values don't meet the specifications");
    }
}
