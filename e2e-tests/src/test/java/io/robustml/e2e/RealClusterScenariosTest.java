package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controllers.Labels;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The scenarios on real pods: the operator installed by {@code helm install} runs as a Pod of its image on
 * the real node, and creates serving pods (model server + sidecar) and analysis Jobs (tester) that run as
 * containers of the images the build pushed, under Pod Security "restricted", with the models and the
 * dataset from a PersistentVolume, reached through Services and cluster DNS. Nothing is simulated.
 */
@WithControlPlane
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterScenariosTest {
    private static final String RELEASE = "robustml";
    private static final Duration ROLLOUT = Duration.ofMinutes(8);
    /** model-server/models/MODELS.md: the robust model's ONNX export. */
    private static final String ROBUST_ONNX_SHA256 = "a1597945dcb598760003164b839b05cfb1745d4f2a4d8660a38910cd0e3e55c1";

    private static RealCluster cluster;
    private static KubernetesClient client;
    private static String system;
    private static String ns;

    @BeforeAll
    static void install(KubernetesClient kubernetes, LocalControlPlane plane) throws IOException {
        client = kubernetes;
        cluster = RealCluster.up(plane);
        system = RealCluster.restrictedNamespace(client, "robustml-system");
        ns = RealCluster.restrictedNamespace(client, "real");
        cluster.modelStore(client, ns);
        Instant t0 = Instant.now();
        cluster.installChart(RELEASE, system, List.of(ns));
        System.out.printf("[real] helm install: operator Ready in %.1f s%n", seconds(t0));
    }

    @AfterAll
    static void uninstall() {
        if (cluster == null || Boolean.getBoolean("robustml.keepNamespaces")) {
            return;
        }
        client.namespaces().withName(ns).delete();
        await().atMost(Duration.ofMinutes(2)).until(() -> client.pods().inNamespace(ns).list().getItems().isEmpty());
        cluster.uninstallChart(RELEASE, system);
        client.namespaces().withName(system).delete();
        client.persistentVolumes().withLabel("robustml.io/model-store", ns).delete();
    }

    @Test
    @Order(1)
    void theOperatorRunsAsItsImageOnTheRealNodeWithTheChartsIdentity() {
        assertThat(operatorPods()).as("the chart's default: a leader and a standby").hasSize(2).allMatch(
                RealClusterScenariosTest::ready);
        Pod operator = operatorPod();
        assertOnRealNode(operator);
        assertThat(operator.getSpec().getServiceAccountName()).isEqualTo(RELEASE + "-robustml-operator");
        assertThat(operator.getSpec().getContainers().get(0).getImage())
                .isEqualTo(cluster.registry + "/robustml/operator@" + cluster.digests.get("operator"));
    }

    @Test
    @Order(2)
    void aRobustFirstReleasePassesThenAStandardUpdateFailsAndIsRolledBack() throws Exception {
        String name = "fashion-classifier";
        Instant applied = Instant.now();
        apply(name, m -> { });
        // No client traffic before a verdict: while the first release's pods are Ready but its analysis has not
        // passed, the model's Service has no endpoint (it selects no pod) and a request to it is refused.
        long[] window = {-1, -1}; // endpoints seen, and whether a request through the ClusterIP was answered (1) or not (0)
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!awaitingVerdict(name)) {
                return true; // the verdict came first: asserted below
            }
            if (servingPods(name).stream().noneMatch(RealClusterScenariosTest::ready)) {
                return false;
            }
            long endpoints = client.discovery().v1().endpointSlices().inNamespace(ns)
                    .withLabel("kubernetes.io/service-name", name).list().getItems().stream()
                    .mapToLong(slice -> slice.getEndpoints() == null ? 0 : slice.getEndpoints().size()).sum();
            String ip = client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
            long answered;
            try {
                Sidecars.inferThroughService("http://" + ip + "/v2/models/" + name + "/infer");
                answered = 1;
            } catch (Exception | AssertionError refused) {
                answered = 0;
            }
            if (awaitingVerdict(name)) { // still no verdict after both looks: they saw the window
                window[0] = endpoints;
                window[1] = answered;
                recordModel(name, "first-release-awaiting-verdict");
                return true;
            }
            return false;
        });
        System.out.printf("[real] first release Ready, verdict pending: %d endpoints behind the model's Service, request %s%n",
                window[0], window[1] == 0 ? "refused" : "ANSWERED");
        assertThat(window[0]).as("the window between Ready pods and the verdict was observed").isNotNegative();
        assertThat(window[0]).as("endpoints of the model's Service before the verdict").isZero();
        assertThat(window[1]).as("a request through the Service before the verdict is not answered").isZero();
        RobustModelStatus first = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null);
        System.out.printf("[real] first release: Passed and serving %.1f s after kubectl apply (ASR %s, clean %s)%n",
                seconds(applied), first.lastAnalysis.adversarialSuccessRate, first.lastAnalysis.cleanAccuracy);
        assertThat(first.lastAnalysis.verdict).isEqualTo("Passed");
        String robust = first.stableRevision;
        recordModel(name, "serving");

        List<Pod> serving = servingPods(name);
        assertThat(serving).isNotEmpty().allSatisfy(RealClusterScenariosTest::assertOnRealNode);
        // The tester writes its run's status, then exits: its pod finishes a moment after the verdict.
        Pod[] testerPod = new Pod[1];
        await().atMost(Duration.ofMinutes(1)).until(() -> {
            testerPod[0] = client.pods().inNamespace(ns).withLabel(Labels.MODEL, name)
                    .withLabel(Labels.COMPONENT, "analysis").list().getItems().get(0);
            return !"Running".equals(testerPod[0].getStatus().getPhase());
        });
        Pod tester = testerPod[0];
        assertOnRealNode(tester);
        assertThat(tester.getStatus().getPhase()).isEqualTo("Succeeded");
        System.out.printf("[real] pod created -> Ready (API timestamps, 1 s resolution): operator %s s, serving pod %s s; "
                + "tester pod created -> its container started %s s, ran %s s%n", createdToReady(operatorPod()),
                createdToReady(serving.get(0)), createdToStarted(tester), startedToFinished(tester));

        // A client of the Service (ClusterIP, kube-proxy) is answered by the stable revision.
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        Sidecars.awaitService(service);
        assertThat(Sidecars.inferThroughService(service + "/v2/models/" + name + "/infer")).contains("\"model_version\":\"" + robust + "\"");

        // An attacker: near-duplicate queries through the Service are rate-limited and flagged, and the
        // sidecar's log (kubectl logs) has the forensic lines.
        // The stable pod's sidecar metrics before and after it (all the Service's traffic goes to that pod):
        // the alert checks replay them (theChartsAlertsFireOnWhatTheScenariosRecorded).
        String sidecarMetrics = "http://" + servingPods(name).get(0).getStatus().getPodIP() + ":9090/metrics";
        RecordedSeries.scrape(sidecarMetrics, "sidecar-before-attack");
        Map<Integer, Integer> statuses = Sidecars.hammer(service + "/v2/models/" + name + "/infer", 300, null);
        RecordedSeries.scrape(sidecarMetrics, "sidecar-after-attack");
        System.out.println("[real] attacker through the Service: HTTP " + statuses);
        assertThat(statuses.getOrDefault(429, 0)).isPositive();
        String log = client.pods().inNamespace(ns).withName(servingPods(name).get(0).getMetadata().getName())
                .inContainer("sidecar-detector").getLog();
        long flagged = log.lines().filter(l -> l.contains("\"category\":\"robustml.forensic\"")).count();
        System.out.println("[real] sidecar log: " + flagged + " forensic lines");
        assertThat(flagged).isPositive();

        // The update to the standard model is analysed on its own canary, fails, and is rolled back; the
        // spec stays as the user wrote it.
        // Both replicas: whichever holds the lease when the verdict comes counts the rollback (the lease may move
        // between the two scrapes on a loaded machine), and the other exports zeros or nothing.
        List<String> operatorMetrics = operatorPods().stream().map(p -> "http://" + p.getStatus().getPodIP() + ":8080/q/metrics")
                .toList();
        RecordedSeries.scrapeAll(operatorMetrics, "operator-before-update");
        applied = Instant.now();
        apply(name, m -> {
            m.getSpec().model.uri = "pvc://model-store/models/fashion-standard.pt";
            m.getSpec().model.sha256 = ModelServerProcess.STANDARD_SHA256;
        });
        long generation = model(name).getMetadata().getGeneration();
        await().atMost(ROLLOUT).pollInterval(Duration.ofMillis(100)).until(() -> servingPods(name).stream().anyMatch(
                p -> !robust.equals(p.getMetadata().getLabels().get(Labels.REVISION)) && ready(p)));
        System.out.printf("[real] spec change -> canary pod Ready on the real node: %.1f s%n", seconds(applied));
        recordModel(name, "canary-under-analysis");
        // The canary is Ready and under analysis, not exposed (the default): the model's Service sends every
        // client to the stable revision; the tester reaches the canary through the canary's own Service.
        if (model(name).getStatus().rejectedRevision == null) {
            List<String> versions = new java.util.ArrayList<>();
            for (int i = 0; i < 10 && model(name).getStatus().rejectedRevision == null; i++) {
                String answer = Sidecars.inferThroughService(service + "/v2/models/" + name + "/infer");
                java.util.regex.Matcher v = java.util.regex.Pattern.compile("\"model_version\":\"([^\"]+)\"").matcher(answer);
                versions.add(v.find() ? v.group(1) : answer);
            }
            System.out.println("[real] canary under analysis: the model's Service answered with revisions " + versions);
            assertThat(versions).as("no client reaches the canary before its verdict").isNotEmpty().containsOnly(robust);
        }
        RobustModelStatus rolled = awaitStatus(name, s -> s.rejectedRevision != null);
        System.out.printf("[real] standard update: %s %.1f s after kubectl apply (ASR %s, violated %s)%n",
                rolled.lastAnalysis.verdict, seconds(applied), rolled.lastAnalysis.adversarialSuccessRate,
                rolled.lastAnalysis.violatedSlos);
        assertThat(rolled.lastAnalysis.verdict).isEqualTo("Failed");
        assertThat(rolled.stableRevision).isEqualTo(robust);
        RecordedSeries.scrapeAll(operatorMetrics, "operator-after-rollback");
        recordModel(name, "rolled-back");
        assertThat(model(name).getMetadata().getGeneration()).isEqualTo(generation);
        assertThat(model(name).getSpec().model.sha256).isEqualTo(ModelServerProcess.STANDARD_SHA256);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(servingPods(name))
                .allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry(Labels.REVISION, robust)));
        // The rolled-back canary drains (preStop) while kube-proxy withdraws it: every answer is a 200, and
        // within seconds every answer is the stable revision's.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(Sidecars.inferThroughService(service + "/v2/models/" + name + "/infer")).contains("\"model_version\":\"" + robust + "\""));
        delete(name);
    }

    @Test
    @Order(3)
    void killingTheOperatorContainerMidAnalysisLeavesOneRunAndOneVerdict() {
        String name = "fashion-restart";
        apply(name, m -> { });
        awaitAnalysisRunning(name);
        Pod operator = operatorPod();
        String killedPod = operator.getMetadata().getName();
        int restarts = operator.getStatus().getContainerStatuses().get(0).getRestartCount();
        cluster.kill(operator, "operator");
        Instant killed = Instant.now();
        await().atMost(Duration.ofMinutes(3)).until(() -> {
            var status = client.pods().inNamespace(system).withName(killedPod).get().getStatus().getContainerStatuses().get(0);
            return status.getRestartCount() > restarts && Boolean.TRUE.equals(status.getReady());
        });
        System.out.printf("[real] leader's container killed (SIGKILL) mid-analysis: restarted by the kubelet and Ready "
                + "%.1f s later; the lease is now %s's%n", seconds(killed), leaseHolder());
        RobustModelStatus st = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null);
        assertThat(st.lastAnalysis.verdict).isEqualTo("Passed");
        assertOneRunAndOneJob(name);
        delete(name);
    }

    @Test
    @Order(4)
    void aTamperedModelFileIsNeverServed() {
        String name = "fashion-tampered";
        Instant applied = Instant.now();
        apply(name, m -> m.getSpec().model.uri = "pvc://model-store/models/fashion-tampered.pt");
        RobustModelStatus st = awaitStatus(name, s -> s.conditions.stream().anyMatch(c -> "Degraded".equals(c.getType())
                && "True".equals(c.getStatus()) && "ModelIntegrityFailed".equals(c.getReason())));
        System.out.printf("[real] tampered model file: ModelIntegrityFailed %.1f s after kubectl apply%n", seconds(applied));
        recordModel(name, "tampered");
        assertThat(st.stableRevision).isNull();
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns).withLabel(Labels.MODEL, name).list()
                .getItems()).as("never analysed").isEmpty();
        delete(name);
    }

    @Test
    @Order(5)
    void aHardenedBlackBoxModelIsAnalysedToAVerdict() throws Exception {
        // As examples/blackbox-api.yaml hardens a model: flagged queries fall back to an abstention, a tight
        // per-client rate limit. The analysis' own key is exempt from both, so its black-box attack runs to
        // the end instead of aborting on a 429 or an abstention.
        String name = "fashion-hardened";
        Instant applied = Instant.now();
        apply(name, m -> {
            m.getSpec().threatModel.access = io.robustml.crds.model.ThreatModelSpec.Access.BLACKBOX;
            m.getSpec().threatModel.attacks = blackBoxSuite();
            var detector = m.getSpec().detector;
            detector.methods = List.of(io.robustml.oip.detector.DetectorConfig.Method.QUERY_SIMILARITY);
            detector.action = io.robustml.oip.detector.DetectorConfig.Action.FALLBACK;
            detector.fallback = new io.robustml.crds.model.DetectorSpec.FallbackSpec();
            detector.fallback.type = io.robustml.oip.detector.DetectorConfig.FallbackType.ABSTAIN;
            detector.rateLimit.requestsPerMinute = 30;
            detector.rateLimit.burst = 5;
            m.getSpec().slos.maxLatencyP99Ms = null;
        });
        RobustModelStatus st = awaitStatus(name, s -> s.lastAnalysis != null && s.lastAnalysis.verdict != null);
        System.out.printf("[real] hardened black-box model (fallback, 30 rows/min): %s %.1f s after kubectl apply "
                + "(ASR %s, clean %s)%n", st.lastAnalysis.verdict, seconds(applied), st.lastAnalysis.adversarialSuccessRate,
                st.lastAnalysis.cleanAccuracy);
        assertThat(st.lastAnalysis.verdict).as("a verdict from a complete run, not an aborted one").isIn("Passed", "Failed");
        assertThat(st.lastAnalysis.adversarialSuccessRate).isNotNull();
        // A client of the same model is held to the limit the analysis was exempt from.
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        if ("Passed".equals(st.lastAnalysis.verdict)) {
            Sidecars.awaitService(service);
            Map<Integer, Integer> statuses = Sidecars.hammer(service + "/v2/models/" + name + "/infer", 40, null);
            System.out.println("[real] a client of the hardened model: HTTP " + statuses);
            assertThat(statuses.getOrDefault(429, 0)).isPositive();
        }
        delete(name);
    }

    @Test
    @Order(6)
    void aReplicaThatLosesItsLeaseExitsAndTheLeaseIsTakenAgain() {
        Pod leader = operatorPod();
        String name = leader.getMetadata().getName();
        int restarts = leader.getStatus().getContainerStatuses().get(0).getRestartCount();
        // Another holder takes the lease (as after a network partition): the leader can no longer renew it.
        String thief = "thief-" + Long.toHexString(System.nanoTime());
        client.leases().inNamespace(system).withName(lease()).edit(l -> {
            l.getSpec().setHolderIdentity(thief);
            l.getSpec().setLeaseDurationSeconds(20);
            l.getSpec().setAcquireTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
            l.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
            return l;
        });
        Instant stolen = Instant.now();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            var status = client.pods().inNamespace(system).withName(name).get().getStatus().getContainerStatuses().get(0);
            return status.getRestartCount() > restarts;
        });
        double exited = seconds(stolen);
        var last = client.pods().inNamespace(system).withName(name).get().getStatus().getContainerStatuses().get(0)
                .getLastState().getTerminated();
        assertThat(last.getExitCode()).as("ended by its lost lease, not killed").isEqualTo(1);
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            String holder = leaseHolder();
            return holder != null && !holder.equals(thief) && operatorPods().stream()
                    .anyMatch(p -> p.getMetadata().getName().equals(holder));
        });
        System.out.printf("[real] lease taken by another holder: the leader %s exited (code 1) %.1f s later; %s holds "
                + "the lease %.1f s after the theft (the thief's lease was 20 s)%n", name, exited, leaseHolder(), seconds(stolen));
    }

    @Test
    @Order(7)
    void deletingTheLeadersPodMidRolloutHandsOverWithOneRunAndOneVerdict() {
        String name = "fashion-failover";
        apply(name, m -> { });
        awaitAnalysisRunning(name);
        String leader = leaseHolder();
        client.pods().inNamespace(system).withName(leader).delete();
        Instant deleted = Instant.now();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String holder = leaseHolder(); // empty while released by the stopping leader
            return holder != null && !holder.equals(leader) && operatorPods().stream()
                    .anyMatch(p -> p.getMetadata().getName().equals(holder));
        });
        double takeover = seconds(deleted);
        // The stopping leader hands the lease back (measured 0.6 s); were that to fail, the lease runs out (15 s)
        // and a standby retries every 2 s.
        assertThat(takeover).as("within the lease duration and one retry period").isLessThan(17);
        RobustModelStatus st = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null);
        System.out.printf("[real] leader pod deleted mid-analysis: %s took the lease %.1f s later; verdict %s%n",
                leaseHolder(), takeover, st.lastAnalysis.verdict);
        assertThat(st.lastAnalysis.verdict).isEqualTo("Passed");
        assertOneRunAndOneJob(name);
        delete(name);
    }

    @Test
    @Order(8)
    void aThirdPartyModelServerRunsAsCustomAndIsAnalysedToAVerdict() throws Exception {
        // MLServer from PyPI (images/mlserver-onnx) serving the robust model's ONNX export: a server without the
        // binary tensor extension, behind the same sidecar, analysed black-box (no gradients from a foreign server).
        String listed = cluster.run(Duration.ofMinutes(15), "scripts/images", "mlserver");
        java.util.regex.Matcher image = java.util.regex.Pattern.compile("^(\\S+/robustml/mlserver-onnx):\\S+\\s+(sha256:[0-9a-f]{64})\\s",
                java.util.regex.Pattern.MULTILINE).matcher(listed);
        assertThat(image.find()).as("scripts/images mlserver lists what it pushed:\n" + listed).isTrue();
        String name = "fashion-mlserver";
        Instant applied = Instant.now();
        apply(name, m -> {
            m.getSpec().model.uri = "pvc://model-store/models/fashion-robust.onnx";
            m.getSpec().model.format = io.robustml.crds.model.ModelSpec.ModelFormat.ONNX;
            m.getSpec().model.sha256 = ROBUST_ONNX_SHA256;
            m.getSpec().serving.runtime = io.robustml.crds.model.ServingSpec.Runtime.CUSTOM;
            m.getSpec().serving.image = image.group(1) + "@" + image.group(2);
            m.getSpec().threatModel.access = io.robustml.crds.model.ThreatModelSpec.Access.BLACKBOX;
            m.getSpec().threatModel.attacks = blackBoxSuite();
            m.getSpec().detector.methods = List.of(io.robustml.oip.detector.DetectorConfig.Method.FEATURE_SQUEEZING,
                    io.robustml.oip.detector.DetectorConfig.Method.QUERY_SIMILARITY);
        });
        RobustModelStatus st = awaitStatus(name, s -> s.lastAnalysis != null && s.lastAnalysis.verdict != null);
        System.out.printf("[real] MLServer (custom runtime, ONNX): %s %.1f s after kubectl apply (ASR %s, clean %s)%n",
                st.lastAnalysis.verdict, seconds(applied), st.lastAnalysis.adversarialSuccessRate, st.lastAnalysis.cleanAccuracy);
        assertThat(st.lastAnalysis.verdict).as("a verdict from a complete run; status:\n"
                + client.getKubernetesSerialization().asYaml(st)).isEqualTo("Passed");
        Pod pod = servingPods(name).get(0);
        assertOnRealNode(pod);
        assertThat(pod.getSpec().getContainers()).anySatisfy(c -> assertThat(c.getImage()).startsWith(image.group(1) + "@sha256:"));

        // A client through the model's Service: MLServer's answer in JSON; a binary request is refused by the sidecar.
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        Sidecars.awaitService(service);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String json = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"data\":["
                + String.join(",", java.util.Collections.nCopies(784, "0.5")) + "]}]}";
        var answer = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(service + "/v2/models/" + name + "/infer"))
                .header("content-type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"logits\"", "\"shape\":[1,10]");
        byte[] header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"parameters\":{\"binary_data_size\":3136}}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var binary = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(service + "/v2/models/" + name + "/infer"))
                .header("content-type", "application/octet-stream").header("Inference-Header-Content-Length", Integer.toString(header.length))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOf(header, header.length + 3136))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        System.out.println("[real] MLServer through the Service: JSON " + answer.statusCode() + ", binary " + binary.statusCode()
                + " " + binary.body());
        assertThat(binary.statusCode()).isEqualTo(400);
        assertThat(binary.body()).contains("does not take binary tensors");
        delete(name);
    }

    @Test
    @Order(9)
    @SuppressWarnings("unchecked")
    void theChartsAlertsFireOnWhatTheScenariosRecorded() throws Exception {
        // The chart's PrometheusRule as rendered, through Prometheus' own rule evaluation (promtool), fed
        // with the counters the sidecar and the operator exported in aRobustFirstReleasePasses...: the
        // attacker pages through the 1h flag-budget window only, the rollback opens a ticket.
        String rendered = cluster.run(Duration.ofMinutes(1), "helm", "template", RELEASE, "helm-chart", "--namespace", system,
                "--set", "metrics.prometheusRule.enabled=true", "--show-only", "templates/prometheusrule.yaml");
        var rule = client.getKubernetesSerialization().unmarshal(rendered, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        Map<String, Object> spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
        java.nio.file.Path rules = RecordedSeries.DIR.resolve("rules.yaml");
        Files.writeString(rules, client.getKubernetesSerialization().asYaml(spec));
        Map<String, Map<String, Object>> byName = new java.util.LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
            for (Map<String, Object> r : (List<Map<String, Object>>) group.get("rules")) {
                String window = ((Map<String, String>) r.get("labels")).get("window");
                byName.put(r.get("alert") + (window == null ? "" : "@" + window), r);
            }
        }
        RecordedSeries before = RecordedSeries.read("sidecar-before-attack");
        RecordedSeries after = RecordedSeries.read("sidecar-after-attack");
        double flagged = 0;
        double total = 0;
        for (var e : after.of("robustml_sidecar_requests_total").entrySet()) {
            double d = e.getValue() - before.of("robustml_sidecar_requests_total").getOrDefault(e.getKey(), 0.0);
            total += d;
            flagged += RecordedSeries.label(e.getKey(), "outcome").matches(AlertReplay.FLAGGED) ? d : 0;
        }
        System.out.printf("[real] recorded attack at the sidecar: %.0f requests, %.0f flagged (%.1f %%) %s%n", total, flagged,
                100 * flagged / total, after.of("robustml_sidecar_requests_total"));
        assertThat(flagged / total).as("the scenario's attacker is flagged above the 1h window's 14.4x budget").isGreaterThan(0.144);
        java.nio.file.Path tests = new AlertReplay(byName)
                .attack(ns, "fashion-classifier", before, after, Map.of("RobustMLDetectorFlagBudgetBurn", List.of("1h"),
                        "RobustMLSidecarErrorBudgetBurn", List.of()))
                .rollback(RecordedSeries.read("operator-before-update"), RecordedSeries.read("operator-after-rollback"),
                        Map.of("RobustMLCanaryRolledBack", true, "RobustMLAnalysisInconclusive", false, "RobustMLModelFailed", false,
                                "RobustMLOperatorMetricsAbsent", false))
                .write(rules);
        System.out.println("[real] " + io.robustml.controlplane.Promtool.checkRules(rules).strip());
        System.out.println("[real] " + io.robustml.controlplane.Promtool.testRules(tests).strip());
    }

    @Test
    @Order(10)
    void argoCdGivesTheOperatorsObjectsTheirHealth() {
        // The RobustModels as the operator wrote them above, judged by Argo CD's own Lua VM running the chart's check.
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("first-release-awaiting-verdict", "Progressing");
        expected.put("serving", "Healthy");
        expected.put("canary-under-analysis", "Progressing");
        expected.put("rolled-back", "Degraded");
        expected.put("tampered", "Degraded");
        java.nio.file.Path dir = RecordedSeries.DIR.resolve("robustmodels");
        List<java.nio.file.Path> files = expected.keySet().stream().map(k -> dir.resolve(k + ".json")).toList();
        assertThat(files).as("recorded by the scenarios above").allMatch(Files::isRegularFile);
        List<io.robustml.controlplane.ArgoCdVm.Health> health = io.robustml.controlplane.ArgoCdVm.health(
                cluster.plane.repoRoot().resolve("helm-chart/argocd/health.lua"), files);
        int i = 0;
        for (var e : expected.entrySet()) {
            var h = health.get(i++);
            System.out.printf("[real] Argo CD health of the operator's object (%s): %s: %s%n", e.getKey(), h.status(), h.message());
            assertThat(h.error()).as(e.getKey()).isNull();
            assertThat(h.status()).as(e.getKey() + ": " + h.message()).isEqualTo(e.getValue());
        }
        assertThat(health.get(3).message()).as("the rollback's reason").startsWith("RobustnessRegression");
        assertThat(health.get(4).message()).startsWith("ModelIntegrityFailed");
    }

    @Test
    @Order(11)
    void killingTheOperatorInEveryRolloutPhaseBreaksNoInvariant() throws Exception {
        // kill -9 of the leader's container the moment each phase is seen, one update per phase on one model;
        // after each: the spec as applied, one run and one Job for the attempt, promoted only on Passed, and the
        // model's Service sending clients to the revision the status names as stable.
        String name = "fashion-chaos";
        apply(name, m -> { });
        String stable = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null).stableRevision;
        record Phase(String name, boolean passes, java.util.function.Predicate<String> seen) {
        }
        List<Phase> phases = List.of(
                new Phase("decision recorded", true, canary -> canary.equals(model(name).getStatus().canaryRevision)),
                new Phase("canary starting", true, canary -> !revisionPods(name, canary).isEmpty()
                        && revisionPods(name, canary).stream().noneMatch(RealClusterScenariosTest::ready)),
                new Phase("analysis running", true, canary -> analysisPods(name).stream()
                        .anyMatch(p -> "Running".equals(p.getStatus().getPhase()))),
                new Phase("verdict written", true, canary -> runs(name, canary).stream()
                        .anyMatch(r -> r.getStatus() != null && "Succeeded".equals(r.getStatus().phase))),
                new Phase("promoting", true, canary -> canary.equals(model(name).getStatus().stableRevision)),
                new Phase("rolling back", false, canary -> canary.equals(model(name).getStatus().rejectedRevision)));
        List<String> table = new java.util.ArrayList<>();
        int memory = 384;
        for (Phase phase : phases) {
            int mi = ++memory; // a new revision of the same model (robust), or the standard model, which fails
            Instant t0 = Instant.now();
            apply(name, m -> {
                m.getSpec().serving.resources.getRequests().put("memory", new io.fabric8.kubernetes.api.model.Quantity(mi + "Mi"));
                if (!phase.passes()) {
                    m.getSpec().model.uri = "pvc://model-store/models/fashion-standard.pt";
                    m.getSpec().model.sha256 = ModelServerProcess.STANDARD_SHA256;
                }
            });
            RobustModel applied = model(name);
            long generation = applied.getMetadata().getGeneration();
            String canary = io.robustml.controllers.Revision.of(applied.getSpec());
            await().atMost(ROLLOUT).pollInterval(Duration.ofMillis(20)).until(() -> phase.seen().test(canary));
            String at = snapshot(name, canary);
            cluster.kill(runningLeader(), "operator");
            Instant killed = Instant.now();
            RobustModelStatus st = awaitStatus(name, s -> phase.passes() ? canary.equals(s.stableRevision) && "Ready".equals(s.phase)
                    : canary.equals(s.rejectedRevision) && revisionPods(name, canary).isEmpty());
            double recovered = seconds(killed);
            // Invariants.
            RobustModel now = model(name);
            assertThat(now.getMetadata().getGeneration()).as(phase.name() + ": spec untouched").isEqualTo(generation);
            assertThat(now.getSpec().model.sha256).isEqualTo(applied.getSpec().model.sha256);
            assertThat(runs(name, canary)).as(phase.name() + ": one run for the attempt").hasSize(1);
            assertThat(client.batch().v1().jobs().inNamespace(ns).withLabel(Labels.MODEL, name).list().getItems().stream()
                    .filter(j -> j.getMetadata().getName().startsWith(name + "-" + canary + "-")).count()).as(phase.name() + ": one Job").isEqualTo(1);
            // The verdict as the model's status records it (the record the rollout follows).
            assertThat(st.lastAnalysis.revision).isEqualTo(canary);
            String verdict = st.lastAnalysis.verdict;
            if (canary.equals(st.stableRevision)) {
                assertThat(verdict).as(phase.name() + ": promoted only on Passed").isEqualTo("Passed");
            } else {
                assertThat(st.stableRevision).as(phase.name() + ": the previous stable still serves").isEqualTo(stable);
                assertThat(verdict).isNotEqualTo("Passed");
            }
            String serving = st.stableRevision;
            // The status is recorded before the operator acts on it: the Service follows within its reconcile.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(client.services().inNamespace(ns).withName(name).get().getSpec().getSelector())
                            .as(phase.name() + ": traffic as the status says").containsEntry(Labels.REVISION, serving));
            String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
            // A kept-alive connection may still reach a pod of the revision going away, which closes it as it stops.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(java.io.IOException.class).untilAsserted(() ->
                    assertThat(Sidecars.inferThroughService(service + "/v2/models/" + name + "/infer"))
                            .contains("\"model_version\":\"" + serving + "\""));
            String line = String.format(java.util.Locale.ROOT, "| %s | %s | %.1f s | %.1f s | %s, %s |", phase.name(), at,
                    Duration.between(t0, killed).toMillis() / 1000.0, recovered, verdict,
                    canary.equals(serving) ? "promoted" : "rolled back");
            table.add(line);
            System.out.println("[real] chaos " + line);
            stable = serving;
        }
        System.out.println("[real] chaos: kill -9 of the leader in every phase\n| phase aimed at | seen when killed | kill after apply "
                + "| kill -> outcome | verdict, outcome |\n|---|---|---|---|---|\n" + String.join("\n", table));
        delete(name);
    }

    @Test
    @Order(12)
    void aDatasetInANumpyArchiveIsAnalysedToAVerdict() {
        // The evaluation set as x_test/y_test in a .npz (NHWC uint8), laid out for the model by its input shape.
        String name = "fashion-npz";
        Instant applied = Instant.now();
        apply(name, m -> m.getSpec().rollout.analysis.dataset = "pvc://model-store/datasets/fashion-mnist-npz/t10k.npz");
        RobustModelStatus st = awaitStatus(name, s -> s.lastAnalysis != null && s.lastAnalysis.verdict != null);
        System.out.printf("[real] dataset from a NumPy archive: %s %.1f s after kubectl apply (ASR %s, clean %s)%n",
                st.lastAnalysis.verdict, seconds(applied), st.lastAnalysis.adversarialSuccessRate, st.lastAnalysis.cleanAccuracy);
        assertThat(st.lastAnalysis.verdict).as("status:\n" + client.getKubernetesSerialization().asYaml(st)).isEqualTo("Passed");
        delete(name);
    }

    @Test
    @Order(13)
    @SuppressWarnings("unchecked")
    void anAttackAddedToTheSuiteReScansTheServingRevisionWithoutARollout() throws Exception {
        // rollout.rescan.onSuiteChange: the stable revision's tester container runs the grown suite against its
        // own pods; a failure degrades the model while the same pods keep serving.
        String name = "fashion-rescan";
        apply(name, m -> {
            m.getSpec().rollout.rescan = new io.robustml.crds.model.RolloutSpec.RescanSpec();
            m.getSpec().rollout.rescan.onSuiteChange = true;
            m.getSpec().rollout.rescan.onFailure = io.robustml.crds.model.RolloutSpec.OnFailure.CONTAIN;
        });
        String stable = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null).stableRevision;
        List<String> pods = servingPods(name).stream().map(p -> p.getMetadata().getUid()).toList();
        Instant added = Instant.now();
        apply(name, m -> {
            m.getSpec().rollout.rescan = new io.robustml.crds.model.RolloutSpec.RescanSpec();
            m.getSpec().rollout.rescan.onSuiteChange = true;
            m.getSpec().rollout.rescan.onFailure = io.robustml.crds.model.RolloutSpec.OnFailure.CONTAIN;
            io.robustml.crds.model.AttackSpec strong = new io.robustml.crds.model.AttackSpec();
            strong.type = io.robustml.crds.model.AttackSpec.AttackType.PGD;
            strong.norm = io.robustml.crds.model.AttackSpec.Norm.LINF;
            strong.epsilon = "0.3";
            strong.steps = 20;
            m.getSpec().threatModel.attacks.add(strong);
        });
        RobustModelStatus st = awaitStatus(name, s -> s.lastRescan != null && s.lastRescan.verdict != null);
        System.out.printf("[real] re-scan after adding PGD L∞ 0.3: %s %.1f s after kubectl apply (ASR %s, violated %s)%n",
                st.lastRescan.verdict, seconds(added), st.lastRescan.adversarialSuccessRate, st.lastRescan.violatedSlos);
        assertThat(st.lastRescan.verdict).as("status:\n" + client.getKubernetesSerialization().asYaml(st)).isEqualTo("Failed");
        assertThat(st.lastRescan.runName).isEqualTo(name + "-" + stable + "-r1");
        assertThat(st.stableRevision).as("no rollout").isEqualTo(stable);
        assertThat(st.canaryRevision).isNull();
        assertThat(st.phase).isEqualTo("Degraded");
        assertThat(io.robustml.controllers.status.Conditions.find(st.conditions, io.robustml.controllers.status.Conditions.DEGRADED))
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("RescanFailed"));
        assertThat(servingPods(name)).as("the same pods serve").extracting(p -> p.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(pods);
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        Sidecars.awaitService(service);
        assertThat(Sidecars.inferThroughService(service + "/v2/models/" + name + "/infer")).contains("\"model_version\":\"" + stable + "\"");
        // onFailure: contain — the sidecars now block what they flag: an attacker's near-duplicates get 403s.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(client.configMaps().inNamespace(ns)
                .withName(name + "-detector").get().getData().get("detector.json")).contains("\"action\":\"block\""));
        Instant contained = Instant.now();
        Map<Integer, Integer>[] seen = new Map[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            seen[0] = Sidecars.hammer(service + "/v2/models/" + name + "/infer", 40, null);
            assertThat(seen[0]).containsKey(403);
        });
        System.out.printf("[real] re-scan failed, onFailure contain: the attacker's near-duplicates through the Service get HTTP %s "
                + "(%.1f s after the ConfigMap said block)%n", seen[0], seconds(contained));
        assertThat(servingPods(name)).extracting(p -> p.getMetadata().getUid()).containsExactlyInAnyOrderElementsOf(pods);
        assertThat(plugin("status", name).orFail("kubectl robustml status")).contains("action block in force (the spec says flag)",
                "last re-scan: Failed");
        delete(name);
    }

    @Test
    @Order(14)
    void certifiedAccuracyIsMeasuredInTheTesterContainerAndJudged() {
        // threatModel.certification: randomized smoothing on the revision's model file inside the tester's Job,
        // its certified accuracy at a radius an SLO of the verdict.
        String name = "fashion-certified";
        Instant applied = Instant.now();
        apply(name, m -> {
            var c = new io.robustml.crds.model.ThreatModelSpec.CertificationSpec();
            c.sigma = "0.25";
            c.radii = List.of("0.25", "0.5");
            c.samples = 50;
            m.getSpec().threatModel.certification = c;
            m.getSpec().slos.minCertifiedAccuracy = new io.robustml.crds.model.SlosSpec.CertifiedAccuracy();
            m.getSpec().slos.minCertifiedAccuracy.radius = "0.25";
            m.getSpec().slos.minCertifiedAccuracy.accuracy = "0.3";
        });
        RobustModelStatus st = awaitStatus(name, s -> s.lastAnalysis != null && s.lastAnalysis.verdict != null);
        AdversarialTestRun run = client.resources(AdversarialTestRun.class).inNamespace(ns).withName(st.lastAnalysis.runName).get();
        var certification = run.getStatus().certification;
        System.out.printf("[real] certification in the tester container: %s %.1f s after kubectl apply; %d examples, "
                + "smoothed %s, certified %s, %d abstained%n", st.lastAnalysis.verdict, seconds(applied), certification.examples(),
                certification.smoothedAccuracy(), certification.radii().stream().map(r -> r.radius() + ": " + r.certifiedAccuracy()).toList(),
                certification.abstained());
        assertThat(st.lastAnalysis.verdict).as("status:\n" + client.getKubernetesSerialization().asYaml(st)).isEqualTo("Passed");
        assertThat(certification.examples()).isEqualTo(50);
        assertThat(certification.n()).as("the CRD's default").isEqualTo(1000);
        assertThat(certification.radii()).extracting(r -> r.radius()).containsExactly(0.25, 0.5);
        assertThat(certification.radii().get(0).certifiedAccuracy()).isGreaterThanOrEqualTo(0.3)
                .isGreaterThanOrEqualTo(certification.radii().get(1).certifiedAccuracy());
        assertThat(certification.radii().get(0).perClass()).isNotEmpty();
        delete(name);
    }

    @Test
    @Order(15)
    void theKubectlPluginShowsActsAndRendersTheAttackersFlaggedInputsInABrowser() throws Exception {
        // kubectl-plugin/kubectl-robustml against the real node: status, a re-scan asked for by annotation, the
        // gallery of an attacker's flagged inputs and the analysis report, rendered by headless Chromium.
        String name = "fashion-plugin";
        apply(name, m -> { });
        RobustModelStatus ready = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null
                && s.lastAnalysis != null);
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        Map<Integer, Integer> statuses = Sidecars.hammer(service + "/v2/models/" + name + "/infer", 200, null);
        System.out.println("[real] plugin: attacker through the Service: HTTP " + statuses);

        String status = plugin("status", name).orFail("kubectl robustml status");
        System.out.println("[real] plugin: kubectl robustml status " + name + "\n" + status);
        assertThat(status).contains("stable:    " + ready.stableRevision, "last analysis: Passed", "per class", "sneaker");
        plugin("rescan", name, "--yes", "--reason", "e2e: the plugin asks").orFail("kubectl robustml rescan");
        assertThat(model(name).getMetadata().getAnnotations().get("robustml.io/rescan")).endsWith(": e2e: the plugin asks");
        RobustModelStatus rescanned = awaitStatus(name, s -> s.lastRescan != null && s.lastRescan.verdict != null);
        assertThat(rescanned.history.get(0).verdict).isEqualTo("Rescanned");
        assertThat(rescanned.stableRevision).isEqualTo(ready.stableRevision);
        Command refused = plugin("abort", name);
        assertThat(refused.exitCode()).as("no confirmation on stdin: nothing written").isEqualTo(1);
        assertThat(model(name).getMetadata().getAnnotations()).doesNotContainKey("robustml.io/abort");

        Path dir = Files.createTempDirectory("kubectl-robustml-");
        Path gallery = dir.resolve("gallery.html");
        plugin("flagged", name, "-o", gallery.toString(), "--limit", "12").orFail("kubectl robustml flagged");
        Path report = dir.resolve("report.html");
        plugin("report", ready.lastAnalysis.runName, "-o", report.toString()).orFail("kubectl robustml report");

        // The attacker's image (Sidecars.hammer: a 15 x 11 rectangle at 0.8 on black, +-0.01 noise), found in the
        // browser's pixels at the gallery's 4x zoom: the PNGs are drawn as the sidecar recorded the inputs.
        java.awt.image.BufferedImage shot = screenshot(gallery, dir.resolve("gallery.png"));
        int found = Screenshots.count(shot, 28, 28, 4, (row, col) -> row > 6 && row < 22 && col > 8 && col < 20 ? 204 : 0, 10);
        System.out.printf("[real] plugin: gallery of the attacker's flagged inputs rendered by Chromium: %d seen in a "
                + "%dx%d screenshot%n", found, shot.getWidth(), shot.getHeight());
        int cards = Files.readString(gallery).split("<img class=\"input\"", -1).length - 1;
        assertThat(cards).as("records in the gallery").isBetween(1, 12);
        assertThat(found).as("each flagged input drawn in the browser as recorded").isEqualTo(cards);
        java.awt.image.BufferedImage page = screenshot(report, dir.resolve("report.png"));
        assertThat(Screenshots.darkShare(page)).as("the report's page has text and tables").isBetween(0.005, 0.5);
        String dom = chromium("--dump-dom", report.toUri().toString());
        assertThat(dom).contains("pgd-linf-0.1", "Per class", "sneaker");
        delete(name);
    }

    @Test
    @Order(16)
    void aFirstReleaseMeasuresDetectionAtTheThresholdItWillServeWith() {
        // featureSqueezing with only a target false-positive rate: a first release's sidecar has no threshold, so
        // the tester calibrates first (on images it evaluates nothing with) and has the sidecar judge the rest of
        // its queries at that threshold.
        String name = "fashion-calibrated";
        Instant applied = Instant.now();
        apply(name, m -> {
            m.getSpec().model.uri = "pvc://model-store/models/fashion-standard.pt";
            m.getSpec().model.sha256 = ModelServerProcess.STANDARD_SHA256;
            m.getSpec().detector.methods = List.of(io.robustml.oip.detector.DetectorConfig.Method.FEATURE_SQUEEZING);
            m.getSpec().detector.featureSqueezing = new io.robustml.crds.model.DetectorSpec.FeatureSqueezingSpec();
            m.getSpec().detector.featureSqueezing.targetFalsePositiveRate = "0.05";
            m.getSpec().slos.minDetectionRecall = "0.2";
        });
        RobustModelStatus st = awaitStatus(name, s -> s.lastAnalysis != null && s.lastAnalysis.verdict != null);
        AdversarialTestRun run = client.resources(AdversarialTestRun.class).inNamespace(ns).withName(st.lastAnalysis.runName).get();
        var calibration = run.getStatus().calibration.featureSqueezing();
        var pgd = run.getStatus().attacks.stream().filter(a -> a.name().startsWith("pgd")).findFirst().orElseThrow();
        System.out.printf("[real] first release, squeezing calibrated first (threshold %s, held-out false-positive rate %s): "
                + "detection recall %s (PGD %s), precision %s, clean false-positive rate %s; %s %.1f s after kubectl apply%n",
                calibration.threshold(), calibration.measuredFalsePositiveRate(), run.getStatus().detector.recall(), pgd.detectionRecall(),
                run.getStatus().detector.precision(), run.getStatus().detector.falsePositiveRate(), st.lastAnalysis.verdict, seconds(applied));
        assertThat(pgd.detectionRecall()).as("measured at the calibrated threshold, not at none").isPositive();
        assertThat(run.getStatus().detector.falsePositiveRate()).isLessThan(0.2);
        assertThat(st.lastAnalysis.violatedSlos == null ? List.<String>of() : st.lastAnalysis.violatedSlos)
                .noneMatch(v -> v.startsWith("detectionRecall"));
        delete(name);
    }

    @Test
    @Order(17)
    void theGuardContainsAnAttackOnThePromotedRevisionThenRollsItBackToThePreviousOne() throws Exception {
        // rollout.guard: the operator container reads the serving pods' sidecar counters over the pod network and
        // judges their alert rate by a burn-rate rule (short windows, so that a test sees it fire).
        String name = "fashion-guard";
        apply(name, m -> guard(m, io.robustml.crds.model.RolloutSpec.GuardAction.CONTAIN, false));
        String first = awaitStatus(name, s -> "Ready".equals(s.phase) && s.stableRevision != null).stableRevision;
        // A second revision that passes too: the same model with a larger CPU request.
        apply(name, m -> guard(m, io.robustml.crds.model.RolloutSpec.GuardAction.CONTAIN, true));
        RobustModelStatus st = awaitStatus(name, s -> s.stableRevision != null && !s.stableRevision.equals(first)
                && "Ready".equals(s.phase));
        String second = st.stableRevision;
        assertThat(st.rollbackRevision).isEqualTo(first);
        assertThat(client.apps().deployments().inNamespace(ns).withName(name + "-" + first).get().getSpec().getReplicas())
                .as("the previous revision is kept with no pods").isZero();
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        Sidecars.awaitService(service);
        String infer = service + "/v2/models/" + name + "/infer";
        assertThat(Sidecars.inferThroughService(infer)).contains("\"model_version\":\"" + second + "\"");

        // An attacker's near-duplicates through the Service, without pause until the scenario ends.
        Map<Integer, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean attacking = new java.util.concurrent.atomic.AtomicBoolean(true);
        Instant attack = Instant.now();
        Thread attacker = new Thread(() -> {
            Instant stop = Instant.now().plus(Duration.ofMinutes(4)); // bounded whatever happens to the test
            while (attacking.get() && Instant.now().isBefore(stop)) {
                try {
                    Sidecars.hammer(infer, 20, null).forEach((code, n) -> answers.merge(code, n, Integer::sum));
                    Thread.sleep(250); // at most ~80 requests a second
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    answers.merge(-1, 1, Integer::sum); // a connection refused while pods change
                }
            }
        }, "attacker");
        attacker.start();
        try {
            st = awaitStatus(name, s -> s.guard != null && "Contained".equals(s.guard.state));
            System.out.printf("[real] guard contained revision %s %.1f s after the attack began: %s%n", second, seconds(attack),
                    st.guard.message);
            assertThat(st.guard.revision).isEqualTo(second);
            assertThat(st.guard.baselineSource).isEqualTo("spec");
            assertThat(st.phase).isEqualTo("Degraded");
            assertThat(io.robustml.controllers.status.Conditions.find(st.conditions, io.robustml.controllers.status.Conditions.DEGRADED))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("GuardContained"));
            assertThat(event(name, "GuardContained")).contains("requests alerted", "fires above 3x");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(client.configMaps().inNamespace(ns)
                    .withName(name + "-detector").get().getData().get("detector.json")).contains("\"action\":\"block\""));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(answers).containsKey(403));
            assertThat(plugin("status", name).orFail("kubectl robustml status")).contains("guard:     Contained",
                    "the post-promotion guard contains", "kept:      " + first);

            // The policy becomes rollback while the attack goes on: the kept revision is scaled up and serves again.
            Instant escalated = Instant.now();
            apply(name, m -> guard(m, io.robustml.crds.model.RolloutSpec.GuardAction.ROLLBACK, true));
            st = awaitStatus(name, s -> first.equals(s.stableRevision));
            System.out.printf("[real] guard rolled back from %s to %s %.1f s after the policy said rollback; answers to the "
                    + "attacker so far %s; %s%n", second, first, seconds(escalated), new java.util.TreeMap<>(answers),
                    event(name, "GuardRolledBack"));
        } finally {
            attacking.set(false);
            attacker.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(st.rejectedRevision).isEqualTo(second);
        assertThat(st.history.get(0).revision).isEqualTo(second);
        assertThat(st.history.get(0).verdict).isEqualTo("GuardRolledBack");
        assertThat(io.robustml.controllers.status.Conditions.find(st.conditions, io.robustml.controllers.status.Conditions.DEGRADED))
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("GuardRolledBack"));
        assertThat(event(name, "GuardRollingBack")).contains("previous revision " + first + " is scaled up");
        assertThat(model(name).getSpec().serving.resources.getRequests().get("cpu").toString()).as("the spec is never edited")
                .isEqualTo("110m");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(servingPods(name))
                .allSatisfy(p -> assertThat(p.getMetadata().getLabels().get(Labels.REVISION)).isEqualTo(first)));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(IOException.class) // a kept-alive connection to a pod gone
                .untilAsserted(() -> assertThat(Sidecars.inferThroughService(infer)).contains("\"model_version\":\"" + first + "\""));
        delete(name);
    }

    @Test
    @Order(18)
    void aTabularModelPassesThenAStandardUpdateFailsAndIsRolledBack() throws Exception {
        // examples/local-cluster/tabular-classifier.yaml: 30 described columns, epsilon a tenth of each column's range.
        String name = "tabular";
        AdversarialTestRun run = firstReleasePasses("tabular", "examples/local-cluster/tabular-classifier.yaml", name, m -> {
            // The example's rows as a Parquet file pyarrow wrote (model-server/training/export_parquet.py), labels by name.
            m.getSpec().rollout.analysis.dataset = "pvc://model-store/datasets/breast-cancer.parquet";
            m.getSpec().rollout.analysis.labelColumn = "diagnosis";
        }, List.of(1, 30), firstTestRow());
        assertThat(run.getStatus().attacks.get(0).perClass()).extracting(c -> c.className()).contains("malignant", "benign");
        assertThat(run.getStatus().cleanAccuracy).as("the Parquet file's first 114 rows are the npz's test rows")
                .isEqualTo(tabularCleanAccuracy("robust"));

        String standardSha = tabularSha("standard");
        RobustModelStatus st = standardUpdateFailsAndRollsBack("tabular", "examples/local-cluster/tabular-classifier.yaml", name,
                run.getSpec().target.revision, m -> {
                    m.getSpec().model.uri = "pvc://model-store/models/tabular-standard.pt";
                    m.getSpec().model.sha256 = standardSha;
                    // The same rows as a CSV export: columns by name, labels by class name.
                    m.getSpec().rollout.analysis.dataset = "pvc://model-store/datasets/breast-cancer.csv";
                    m.getSpec().rollout.analysis.labelColumn = "diagnosis";
                });
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns).withName(st.lastAnalysis.runName).get().getStatus()
                .cleanAccuracy).as("the CSV's first 114 rows are the npz's test rows").isEqualTo(tabularCleanAccuracy("standard"));
        delete(name);
    }

    @Test
    @Order(19)
    void aColourModelPassesThenAStandardUpdateFailsAndIsRolledBack() throws Exception {
        // examples/local-cluster/cifar-classifier.yaml: RGB 3x32x32, epsilon 8/255 in pixel units, squeezing calibrated.
        String name = "cifar";
        AdversarialTestRun run = firstReleasePasses("colour", "examples/local-cluster/cifar-classifier.yaml", name, m -> { },
                List.of(1, 3, 32, 32), firstCifarImage());
        pixelModelCleanAccuracy = run.getStatus().cleanAccuracy;
        assertThat(run.getStatus().attacks.get(0).perClass()).extracting(c -> c.className()).contains("airplane", "cat", "truck");
        String standardSha = cifarSha("standard");
        standardUpdateFailsAndRollsBack("colour", "examples/local-cluster/cifar-classifier.yaml", name, run.getSpec().target.revision,
                m -> {
                    m.getSpec().model.uri = "pvc://model-store/models/cifar-standard.pt";
                    m.getSpec().model.sha256 = standardSha;
                });
        delete(name);
    }

    @Test
    @Order(20)
    void aModelThatTakesNormalisedInputsIsAnalysedAndServedInItsOwnUnits() throws Exception {
        // The robust CIFAR-10 network taking (pixel - mean) / std (export_normalized.py), described by
        // model.input.normalization: the tester attacks pixels and sends them normalised, the sidecar squeezes the
        // pixels it recovers; the verdict and the clean figure are the pixel model's.
        String name = "cifar-normalized";
        var normalization = new io.robustml.crds.model.ModelSpec.NormalizationSpec();
        normalization.mean = List.of("0.4914", "0.4822", "0.4465");
        normalization.std = List.of("0.2470", "0.2435", "0.2616");
        float[] pixels = firstCifarImage();
        float[] normalised = new io.robustml.oip.detector.DetectorConfig.Normalization(List.of(0.4914, 0.4822, 0.4465),
                List.of(0.2470, 0.2435, 0.2616)).fromPixels(pixels);
        String sha = sha256Of("model-server/models/cifar-robust-normalized.pt");
        AdversarialTestRun run = firstReleasePasses("normalised colour", "examples/local-cluster/cifar-classifier.yaml", name, m -> {
            m.getSpec().model.uri = "pvc://model-store/models/cifar-robust-normalized.pt";
            m.getSpec().model.sha256 = sha;
            m.getSpec().model.input.normalization = normalization;
        }, List.of(1, 3, 32, 32), normalised);
        if (pixelModelCleanAccuracy != null) {
            assertThat(run.getStatus().cleanAccuracy).as("the pixel model's clean figure on the same images")
                    .isEqualTo(pixelModelCleanAccuracy);
        }
        assertThat(client.configMaps().inNamespace(ns).withName(name + "-detector").get().getData().get("detector.json"))
                .contains("\"normalization\"");
        delete(name);
    }

    @Test
    @Order(21)
    void aChannelsLastModelIsAnalysedAndServedInItsOwnLayout() throws Exception {
        // The robust CIFAR-10 network taking [N, 32, 32, 3] (export_channels_last.py), as Keras models do, described
        // by model.input.layout NHWC: the tester reads the NCHW sample and sends each example transposed, the sidecar
        // squeezes and smooths channels first; the verdict and the clean figure are the NCHW model's.
        String name = "cifar-nhwc";
        String sha = sha256Of("model-server/models/cifar-robust-nhwc.pt");
        float[] chw = firstCifarImage();
        float[] hwc = new io.robustml.oip.detector.DetectorConfig.ChannelsLast(3).toChannelsLast(chw);
        AdversarialTestRun run = firstReleasePasses("channels-last colour", "examples/local-cluster/cifar-classifier.yaml", name, m -> {
            m.getSpec().model.uri = "pvc://model-store/models/cifar-robust-nhwc.pt";
            m.getSpec().model.sha256 = sha;
            m.getSpec().model.input.shape = List.of(32, 32, 3);
            m.getSpec().model.input.layout = io.robustml.crds.model.ModelSpec.Layout.NHWC;
        }, List.of(1, 32, 32, 3), hwc);
        if (pixelModelCleanAccuracy != null) {
            assertThat(run.getStatus().cleanAccuracy).as("the NCHW model's clean figure on the same images")
                    .isEqualTo(pixelModelCleanAccuracy);
        }
        assertThat(client.configMaps().inNamespace(ns).withName(name + "-detector").get().getData().get("detector.json"))
                .contains("\"channelsLast\"");
        delete(name);
    }

    @Test
    @Order(22)
    void aModelAndItsDatasetInAnS3StoreAreFetchedByTheModelServerAndTheTester() throws Exception {
        // An S3-style store in the cluster: busybox httpd serving the model store path-style as bucket "store"
        // (it answers GETs and ignores the SigV4 headers; the signatures are checked by FetcherTest's store).
        String store = objectStore();
        client.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("store-keys").endMetadata()
                .withStringData(Map.of("AWS_ACCESS_KEY_ID", "AKIAREALNODE00000001", "AWS_SECRET_ACCESS_KEY", "real-node-secret",
                        "endpoint", store)).build()).inNamespace(ns).serverSideApply();
        String name = "tabular-s3";
        String parquetSha = sha256Of("model-server/models/breast-cancer.parquet");
        AdversarialTestRun run = firstReleasePasses("tabular from S3", "examples/local-cluster/tabular-classifier.yaml", name, m -> {
            m.getSpec().model.uri = "s3://store/models/tabular-robust.pt";
            m.getSpec().model.credentials = new io.robustml.crds.model.ModelSpec.CredentialsSpec();
            m.getSpec().model.credentials.secretRef = "store-keys";
            m.getSpec().rollout.analysis.dataset = "s3://store/datasets/breast-cancer.parquet";
            m.getSpec().rollout.analysis.labelColumn = "diagnosis";
            var pin = new io.robustml.crds.model.RolloutSpec.DatasetChecksum();
            pin.file = "breast-cancer.parquet";
            pin.sha256 = parquetSha;
            m.getSpec().rollout.analysis.datasetChecksums = List.of(pin);
        }, List.of(1, 30), firstTestRow());
        assertThat(run.getSpec().dataset.uri).isEqualTo("s3://store/datasets/breast-cancer.parquet");
        assertThat(run.getSpec().target.modelUri).isEqualTo("s3://store/models/tabular-robust.pt");
        assertThat(run.getStatus().cleanAccuracy).as("the fetched Parquet file's first 114 rows are the npz's test rows")
                .isEqualTo(tabularCleanAccuracy("robust"));
        String log = client.pods().inNamespace(ns).withName("object-store").getLog();
        assertThat(log).as("the store's access log").contains("/store/models/tabular-robust.pt")
                .contains("/store/datasets/breast-cancer.parquet");
        delete(name);
        client.pods().inNamespace(ns).withName("object-store").delete();
        client.services().inNamespace(ns).withName("object-store").delete();
    }

    /** busybox httpd over the model store (read-only) at /store, behind Service object-store; its base URL. */
    private static String objectStore() throws Exception {
        Command push = Command.run(cluster.plane.repoRoot(), Duration.ofMinutes(2), "controlplane/node/busybox-image.sh",
                cluster.registry);
        assertThat(push.exitCode()).as(push.output()).isZero();
        String image = push.output().lines().reduce((a, b) -> b).orElseThrow().trim();
        client.resource(client.getKubernetesSerialization().unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata: {name: object-store, labels: {app: object-store}}
                spec:
                  nodeSelector: {robustml.io/real-node: "true"}
                  tolerations: [{key: robustml.io/real-node, operator: Equal, value: "true", effect: NoSchedule}]
                  terminationGracePeriodSeconds: 1
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 65534
                    runAsGroup: 65534
                    seccompProfile: {type: RuntimeDefault}
                  containers:
                  - name: httpd
                    image: %s
                    command: ["sh", "-c", "mkdir -p /tmp/www && ln -s /mnt/store /tmp/www/store && exec httpd -f -vv -p 8080 -h /tmp/www"]
                    ports: [{containerPort: 8080}]
                    volumeMounts: [{name: store, mountPath: /mnt/store, readOnly: true}, {name: tmp, mountPath: /tmp}]
                    securityContext:
                      allowPrivilegeEscalation: false
                      readOnlyRootFilesystem: true
                      capabilities: {drop: [ALL]}
                  volumes:
                  - {name: store, persistentVolumeClaim: {claimName: model-store, readOnly: true}}
                  - {name: tmp, emptyDir: {}}
                """.formatted(image), Pod.class)).inNamespace(ns).create();
        client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("object-store").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "object-store")).addNewPort().withPort(80)
                .withTargetPort(new io.fabric8.kubernetes.api.model.IntOrString(8080)).endPort().endSpec().build())
                .inNamespace(ns).create();
        client.pods().inNamespace(ns).withName("object-store").waitUntilReady(2, java.util.concurrent.TimeUnit.MINUTES);
        String base = "http://" + client.services().inNamespace(ns).withName("object-store").get().getSpec().getClusterIP();
        Sidecars.awaitService(base);
        return base;
    }

    /**
     * A first release of {@code example} (edited): Passed, with its figures printed; then one input through the model's
     * Service is answered by that revision. The run that judged it.
     */
    private static AdversarialTestRun firstReleasePasses(String kind, String example, String name, Consumer<RobustModel> edit,
            List<Integer> shape, float[] input) throws Exception {
        Instant applied = Instant.now();
        applyExample(example, name, edit);
        RobustModelStatus st = awaitStatus(name, s -> s.lastAnalysis != null && s.lastAnalysis.verdict != null);
        AdversarialTestRun run = client.resources(AdversarialTestRun.class).inNamespace(ns).withName(st.lastAnalysis.runName).get();
        var detection = run.getStatus().detector;
        System.out.printf("[real] %s first release: %s %.1f s after kubectl apply (clean %s; %s; detection through the "
                + "sidecar: recall %s, precision %s, clean false-positive rate %s; per attack %s)%n", kind, st.lastAnalysis.verdict,
                seconds(applied), run.getStatus().cleanAccuracy, run.getStatus().attacks.stream()
                        .map(a -> a.name() + " " + a.adversarialSuccessRate()).toList(), detection == null ? null : detection.recall(),
                detection == null ? null : detection.precision(), detection == null ? null : detection.falsePositiveRate(),
                run.getStatus().attacks.stream().map(a -> a.name() + " " + a.detectionRecall()).toList());
        assertThat(st.lastAnalysis.verdict).as("status:\n" + client.getKubernetesSerialization().asYaml(st)).isEqualTo("Passed");
        String service = "http://" + client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
        Sidecars.awaitService(service);
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of("inputs", List.of(
                java.util.Map.of("name", "input", "shape", shape, "datatype", "FP32", "data", input))));
        var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(service + "/v2/models/" + name + "/infer")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"model_version\":\"" + st.stableRevision + "\"");
        return run;
    }

    /** An update of {@code example} to its standard model: Failed on adversarial success, and {@code stable} serves on. */
    private static RobustModelStatus standardUpdateFailsAndRollsBack(String kind, String example, String name, String stable,
            Consumer<RobustModel> edit) {
        Instant updated = Instant.now();
        applyExample(example, name, edit);
        RobustModelStatus st = awaitStatus(name, s -> s.rejectedRevision != null);
        System.out.printf("[real] %s update to the standard model: %s %.1f s after kubectl apply (ASR %s, violated %s)%n", kind,
                st.lastAnalysis.verdict, seconds(updated), st.lastAnalysis.adversarialSuccessRate, st.lastAnalysis.violatedSlos);
        assertThat(st.lastAnalysis.verdict).isEqualTo("Failed");
        assertThat(st.stableRevision).as("rolled back").isEqualTo(stable);
        assertThat(st.lastAnalysis.violatedSlos).anyMatch(v -> v.startsWith("adversarialSuccessRate"));
        return st;
    }

    /** The colour scenario's clean figure, which the same network taking normalised inputs must reproduce. */
    private static Double pixelModelCleanAccuracy;

    private static String sha256Of(String file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(cluster.plane.repoRoot().resolve(file))));
    }

    /** The first CIFAR-10 test image of the colour models' sample, as the tester reads it (byte / 255, NCHW). */
    private static float[] firstCifarImage() throws IOException {
        var sample = io.robustml.oip.data.NumpyFiles.readNpz(cluster.plane.repoRoot().resolve("model-server/models/cifar10-sample.npz"));
        return io.robustml.oip.data.NumpyFiles.images(sample.get("x"), sample.get("y"), new long[] {3, 32, 32}, 1).images()[0];
    }

    private static String cifarSha(String model) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(cluster.plane.repoRoot()
                .resolve("model-server/models/cifar-metrics.json").toFile()).get(model).get("torchscript_sha256").asText();
    }

    /** The first test row of the tabular reference models' data, read as the tester reads it. */
    private static float[] firstTestRow() throws IOException {
        return java.util.Arrays.copyOf(io.robustml.oip.data.NumpyFiles.readNpz(cluster.plane.repoRoot()
                .resolve("model-server/models/breast-cancer.npz")).get("x").values(), 30);
    }

    /** The training script's clean accuracy on the test rows, as the run status carries it (six decimal places). */
    private static Double tabularCleanAccuracy(String model) throws IOException {
        double a = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cluster.plane.repoRoot()
                .resolve("model-server/models/tabular-metrics.json").toFile()).get(model).get("clean_accuracy").asDouble();
        return io.robustml.crds.Decimals.value(io.robustml.crds.Decimals.text(a));
    }

    private static String tabularSha(String model) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(cluster.plane.repoRoot()
                .resolve("model-server/models/tabular-metrics.json").toFile()).get(model).get("torchscript_sha256").asText();
    }

    /** rollout.guard with windows short enough for a test; {@code moreCpu} makes the second revision. */
    private static void guard(RobustModel m, io.robustml.crds.model.RolloutSpec.GuardAction action, boolean moreCpu) {
        var g = new io.robustml.crds.model.RolloutSpec.GuardSpec();
        g.action = action;
        g.windows = List.of(io.robustml.crds.model.RolloutSpec.BurnWindow.of("30s", "10s", "3"));
        g.baselineRate = "0.05";
        g.minRequests = 20;
        m.getSpec().rollout.guard = g;
        if (moreCpu) {
            m.getSpec().serving.resources.getRequests().put("cpu", new io.fabric8.kubernetes.api.model.Quantity("110m"));
        }
    }

    /** The message of the model's latest event with this reason ("" when there is none). */
    private static String event(String model, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> model.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(io.fabric8.kubernetes.api.model.Event::getMessage).reduce((a, b) -> b).orElse("");
    }

    /** kubectl-plugin/kubectl-robustml with the cluster's kubectl and kubeconfig, in the scenario's namespace. */
    private static Command plugin(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("python3",
                cluster.plane.repoRoot().resolve("kubectl-plugin/kubectl-robustml").toString(), "-n", ns));
        command.addAll(List.of(args));
        return Command.run(cluster.plane.repoRoot(), Duration.ofMinutes(2), Map.of("KUBECTL", cluster.plane.kubectl().toString(),
                "KUBECONFIG", cluster.plane.kubeconfig().toString()), command.toArray(String[]::new));
    }

    private static java.awt.image.BufferedImage screenshot(Path html, Path png) throws IOException {
        chromium("--screenshot=" + png, html.toUri().toString());
        return javax.imageio.ImageIO.read(png.toFile());
    }

    /** Headless Chromium in a network namespace of its own (loopback only), so a page can reach nothing. */
    private static String chromium(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("unshare", "--net", "chromium-headless-shell", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,1400",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--user-data-dir=" + System.getProperty("java.io.tmpdir") + "/robustml-chromium"));
        command.addAll(List.of(args));
        Command c = Command.run(cluster.plane.repoRoot(), Duration.ofMinutes(1), command.toArray(String[]::new));
        String out = c.orFail("chromium-headless-shell");
        return out;
    }

    // -- helpers

    /** Square Attack (100 queries) and noise at L∞ 0.1: what a black-box analysis of these scenarios runs. */
    private static List<io.robustml.crds.model.AttackSpec> blackBoxSuite() {
        io.robustml.crds.model.AttackSpec square = new io.robustml.crds.model.AttackSpec();
        square.type = io.robustml.crds.model.AttackSpec.AttackType.SQUARE;
        square.epsilon = "0.1";
        square.queryBudget = 100;
        io.robustml.crds.model.AttackSpec noise = new io.robustml.crds.model.AttackSpec();
        noise.type = io.robustml.crds.model.AttackSpec.AttackType.NOISE;
        noise.epsilon = "0.1";
        return List.of(square, noise);
    }

    private static List<Pod> revisionPods(String name, String revision) {
        return servingPods(name).stream().filter(p -> revision.equals(p.getMetadata().getLabels().get(Labels.REVISION))).toList();
    }

    private static List<Pod> analysisPods(String name) {
        return client.pods().inNamespace(ns).withLabel(Labels.MODEL, name).withLabel(Labels.COMPONENT, "analysis").list().getItems();
    }

    private static List<AdversarialTestRun> runs(String name, String revision) {
        return client.resources(AdversarialTestRun.class).inNamespace(ns).withLabel(Labels.MODEL, name).list().getItems().stream()
                .filter(r -> revision.equals(r.getSpec().target.revision)).toList();
    }

    /** What the cluster showed at the kill: the model's phase, the canary's pods and run. */
    private static String snapshot(String name, String canary) {
        RobustModelStatus s = model(name).getStatus();
        List<Pod> pods = revisionPods(name, canary);
        List<AdversarialTestRun> r = runs(name, canary);
        return String.format(java.util.Locale.ROOT, "%s; canary pods %d (%d Ready); run %s", s.phase, pods.size(),
                pods.stream().filter(RealClusterScenariosTest::ready).count(),
                r.isEmpty() ? "none" : r.get(0).getStatus() == null || r.get(0).getStatus().phase == null ? "created"
                        : r.get(0).getStatus().phase + (r.get(0).getStatus().verdict == null ? "" : " " + r.get(0).getStatus().verdict));
    }

    /** The RobustModel as the API server holds it now, kept for the Argo CD health check (Order 10). */
    private static void recordModel(String name, String moment) {
        try {
            java.nio.file.Path dir = Files.createDirectories(RecordedSeries.DIR.resolve("robustmodels"));
            Files.writeString(dir.resolve(moment + ".json"), client.getKubernetesSerialization().asJson(model(name)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitAnalysisRunning(String name) {
        await().atMost(ROLLOUT).until(() -> client.pods().inNamespace(ns).withLabel(Labels.MODEL, name)
                .withLabel(Labels.COMPONENT, "analysis").list().getItems().stream()
                .anyMatch(p -> "Running".equals(p.getStatus().getPhase())));
    }

    private static void assertOneRunAndOneJob(String name) {
        assertThat(client.resources(AdversarialTestRun.class).inNamespace(ns).withLabel(Labels.MODEL, name).list()
                .getItems()).as("one run").hasSize(1);
        assertThat(client.batch().v1().jobs().inNamespace(ns).withLabel(Labels.MODEL, name).list().getItems())
                .as("one Job").hasSize(1);
    }

    /** The chart's Lease: the Deployment's name, in the release namespace. */
    private static String lease() {
        return RELEASE + "-robustml-operator";
    }

    private static String leaseHolder() {
        var l = client.leases().inNamespace(system).withName(lease()).get();
        return l == null ? null : l.getSpec().getHolderIdentity();
    }

    private static List<Pod> operatorPods() {
        return client.pods().inNamespace(system).withLabel("app.kubernetes.io/instance", RELEASE).list().getItems()
                .stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static long createdToReady(Pod p) {
        Instant created = Instant.parse(p.getMetadata().getCreationTimestamp());
        return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> Duration.between(created, Instant.parse(c.getLastTransitionTime())).toSeconds()).findFirst()
                .orElse(-1L);
    }

    private static long createdToStarted(Pod p) {
        var terminated = p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        return Duration.between(Instant.parse(p.getMetadata().getCreationTimestamp()), Instant.parse(terminated.getStartedAt()))
                .toSeconds();
    }

    private static long startedToFinished(Pod p) {
        var terminated = p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        return Duration.between(Instant.parse(terminated.getStartedAt()), Instant.parse(terminated.getFinishedAt())).toSeconds();
    }

    private static void assertOnRealNode(Pod pod) {
        assertThat(pod.getSpec().getNodeName()).as(pod.getMetadata().getName()).isEqualTo(RealCluster.NODE);
        assertThat(pod.getStatus().getContainerStatuses()).allSatisfy(c -> {
            assertThat(c.getContainerID()).startsWith("containerd://");
            assertThat(c.getImageID()).contains("@sha256:");
        });
    }

    /** The operator replica holding the lease (its pod name is its identity), once one does. */
    /**
     * The lease holder once its operator container runs: after an earlier kill the holder may still be the pod
     * whose container the kubelet is restarting, and its status may still name the killed container.
     */
    private static Pod runningLeader() {
        Pod[] leader = new Pod[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            leader[0] = operatorPod();
            return leader[0].getStatus().getContainerStatuses().stream()
                    .anyMatch(c -> "operator".equals(c.getName()) && c.getState() != null && c.getState().getRunning() != null);
        });
        return leader[0];
    }

    private static Pod operatorPod() {
        await().atMost(Duration.ofSeconds(60)).until(() -> operatorPods().stream()
                .anyMatch(p -> p.getMetadata().getName().equals(leaseHolder())));
        String holder = leaseHolder();
        return operatorPods().stream().filter(p -> p.getMetadata().getName().equals(holder)).findFirst().orElseThrow();
    }

    /** The model exists and no revision of it has passed yet. */
    private static boolean awaitingVerdict(String name) {
        RobustModel m = client.resources(RobustModel.class).inNamespace(ns).withName(name).get();
        return m != null && (m.getStatus() == null || m.getStatus().stableRevision == null);
    }

    private static List<Pod> servingPods(String name) {
        return client.pods().inNamespace(ns).withLabel(Labels.MODEL, name).withLabel(Labels.COMPONENT, "serving").list()
                .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    /** examples/local-cluster/fashion-classifier.yaml under {@code name}, edited, applied as kubectl apply --server-side. */
    private static void apply(String name, Consumer<RobustModel> edit) {
        applyExample("examples/local-cluster/fashion-classifier.yaml", name, m -> {
            assertThat(m.getSpec().model.sha256).isEqualTo(ModelServerProcess.ROBUST_SHA256);
            edit.accept(m);
        });
    }

    /** An example RobustModel of the repository under another name in the scenario's namespace, edited, applied. */
    private static void applyExample(String example, String name, Consumer<RobustModel> edit) {
        RobustModel m;
        try {
            m = client.getKubernetesSerialization().unmarshal(Files.readString(cluster.plane.repoRoot().resolve(example)),
                    RobustModel.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        m.getMetadata().setName(name);
        m.getMetadata().setNamespace(ns);
        edit.accept(m);
        client.resource(m).fieldManager("kubectl").forceConflicts().serverSideApply();
    }

    private static RobustModel model(String name) {
        return client.resources(RobustModel.class).inNamespace(ns).withName(name).get();
    }

    private static void delete(String name) {
        client.resources(RobustModel.class).inNamespace(ns).withName(name).delete();
        await().atMost(Duration.ofMinutes(2)).until(() -> client.pods().inNamespace(ns).withLabel(Labels.MODEL, name)
                .list().getItems().isEmpty());
    }

    private static RobustModelStatus awaitStatus(String name, java.util.function.Predicate<RobustModelStatus> done) {
        RobustModelStatus[] last = new RobustModelStatus[1];
        try {
            await().atMost(ROLLOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
                RobustModel m = model(name);
                last[0] = m == null ? null : m.getStatus();
                return last[0] != null && done.test(last[0]);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("status of " + name + " never got there; last: "
                    + client.getKubernetesSerialization().asYaml(last[0]) + "\npods: " + client.pods().inNamespace(ns).list()
                    .getItems().stream().map(p -> p.getMetadata().getName() + " " + p.getStatus().getPhase() + " "
                            + p.getStatus().getContainerStatuses()).toList(), e);
        }
        return last[0];
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }
}
