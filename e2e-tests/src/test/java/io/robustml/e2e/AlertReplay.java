package io.robustml.e2e;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code promtool test rules} file that replays what the scenarios recorded: the sidecar's request
 * counters before and after the attacker (their increase becomes the per-minute rate of a 70-minute
 * attack after three days of clean traffic) and the operator's rollback counter before and after a
 * rollback. Prometheus adds {@code namespace} and {@code job} when it scrapes; so does this.
 */
final class AlertReplay {
    /** Minutes of clean history (the slowest burn-rate window, 3d) and of the attack (over the 1h window plus its 5m). */
    static final int CLEAN_MINUTES = 3 * 24 * 60;
    static final int ATTACK_MINUTES = 70;
    /** Clean traffic per minute, in multiples of the attack's: the past the slow windows average over. */
    static final int CLEAN_VOLUME = 10;
    static final String FLAGGED = "flagged|blocked|fallback";
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final Pattern LABEL_REF = Pattern.compile("\\{\\{\\s*\\$labels\\.(\\w+)\\s*}}");

    private final List<Map<String, Object>> tests = new ArrayList<>();
    private final Map<String, Map<String, Object>> rules;

    /** {@code rules}: the PrometheusRule's rules by alert name (every window of a burn-rate alert under its name). */
    AlertReplay(Map<String, Map<String, Object>> rules) {
        this.rules = rules;
    }

    /** The attack: {@code before}/{@code after} scrapes of one sidecar; the alerts expected at its end. */
    AlertReplay attack(String namespace, String job, RecordedSeries before, RecordedSeries after, Map<String, List<String>> firingWindows) {
        Map<String, Double> b = before.of("robustml_sidecar_requests_total");
        Map<String, Double> a = after.of("robustml_sidecar_requests_total");
        double total = 0;
        for (var e : a.entrySet()) {
            total += e.getValue() - b.getOrDefault(e.getKey(), 0.0);
        }
        List<Map<String, Object>> series = new ArrayList<>();
        for (var e : a.entrySet()) {
            String outcome = RecordedSeries.label(e.getKey(), "outcome");
            double perMinute = e.getValue() - b.getOrDefault(e.getKey(), 0.0);
            double clean = "ok".equals(outcome) ? CLEAN_VOLUME * total : 0;
            double atCleanEnd = clean * CLEAN_MINUTES;
            series.add(Map.of("series", "robustml_sidecar_requests_total{namespace=\"" + namespace + "\",job=\"" + job
                    + "\",outcome=\"" + outcome + "\"}", "values", "0+" + num(clean) + "x" + CLEAN_MINUTES + " "
                    + num(atCleanEnd + perMinute) + "+" + num(perMinute) + "x" + (ATTACK_MINUTES - 1)));
        }
        List<Map<String, Object>> checks = new ArrayList<>();
        Map<String, String> labels = Map.of("namespace", namespace, "job", job);
        for (var alert : firingWindows.entrySet()) {
            List<Map<String, Object>> expected = new ArrayList<>();
            for (String window : alert.getValue()) {
                expected.add(expected(alert.getKey() + "@" + window, labels));
            }
            checks.add(check(CLEAN_MINUTES + ATTACK_MINUTES, alert.getKey(), expected));
        }
        tests.add(test("the attack the real-node scenario recorded at the sidecar", series, checks));
        return this;
    }

    /** A rollback: the operator's scrapes before the update and after its rollback; the alerts expected. */
    AlertReplay rollback(RecordedSeries before, RecordedSeries after, Map<String, Boolean> firing) {
        List<Map<String, Object>> series = new ArrayList<>();
        Map<String, Double> b = before.of("robustml_rollout_rollbacks_total");
        Map<String, String> rolledBack = null;
        for (var e : after.of("robustml_rollout_rollbacks_total").entrySet()) {
            series.add(Map.of("series", "robustml_rollout_rollbacks_total" + withJob(e.getKey()),
                    "values", num(b.getOrDefault(e.getKey(), 0.0)) + "x10 " + num(e.getValue()) + "x20"));
            if (e.getValue() > b.getOrDefault(e.getKey(), 0.0) && "RobustnessRegression".equals(RecordedSeries.label(e.getKey(), "reason"))) {
                rolledBack = Map.of("namespace", RecordedSeries.label(e.getKey(), "namespace"), "model",
                        RecordedSeries.label(e.getKey(), "model"));
            }
        }
        if (rolledBack == null) {
            throw new AssertionError("the operator's scrapes show no RobustnessRegression rollback: " + after.of("robustml_rollout_rollbacks_total"));
        }
        for (var e : after.of("robustml_models").entrySet()) {
            series.add(Map.of("series", "robustml_models" + withJob(e.getKey()), "values", num(e.getValue()) + "x30"));
        }
        List<Map<String, Object>> checks = new ArrayList<>();
        for (var alert : firing.entrySet()) {
            checks.add(check(20, alert.getKey(), alert.getValue() ? List.of(expected(alert.getKey(), rolledBack)) : List.of()));
        }
        tests.add(test("the rollback the real-node scenario recorded at the operator", series, checks));
        return this;
    }

    /** Writes the test file beside {@code rulesFile} (which it names) and returns its path. */
    Path write(Path rulesFile) throws IOException {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("rule_files", List.of(rulesFile.getFileName().toString()));
        file.put("evaluation_interval", "1m");
        file.put("tests", tests);
        Path out = rulesFile.resolveSibling("recorded-alerts-test.yaml");
        Files.writeString(out, YAML.asYaml(file));
        return out;
    }

    private static Map<String, Object> test(String name, List<Map<String, Object>> series, List<Map<String, Object>> checks) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("interval", "1m");
        t.put("input_series", series);
        t.put("alert_rule_test", checks);
        return t;
    }

    private static Map<String, Object> check(int minutes, String alert, List<Map<String, Object>> expected) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("eval_time", minutes + "m");
        c.put("alertname", alert);
        c.put("exp_alerts", expected);
        return c;
    }

    /** The alert as it fires: the rule's labels plus the series', its annotations with {@code $labels} filled in. */
    private Map<String, Object> expected(String rule, Map<String, String> seriesLabels) {
        Map<String, Object> r = rules.get(rule);
        if (r == null) {
            throw new AssertionError("no rule " + rule + " in the chart's PrometheusRule (" + rules.keySet() + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, String> ruleLabels = (Map<String, String>) r.get("labels");
        Map<String, String> labels = new TreeMap<>(seriesLabels);
        labels.putAll(ruleLabels);
        Map<String, String> annotations = new TreeMap<>();
        @SuppressWarnings("unchecked")
        Map<String, String> templates = (Map<String, String>) r.get("annotations");
        templates.forEach((k, v) -> {
            Matcher m = LABEL_REF.matcher(v);
            annotations.put(k, m.replaceAll(ref -> Matcher.quoteReplacement(seriesLabels.getOrDefault(ref.group(1), ""))));
        });
        return Map.of("exp_labels", labels, "exp_annotations", annotations);
    }

    /** An exported label set with the job Prometheus would give the operator's metrics Service. */
    private static String withJob(String labels) {
        String job = "job=\"robustml-robustml-operator-metrics\"";
        return labels.isEmpty() ? "{" + job + "}" : "{" + job + "," + labels.substring(1);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
