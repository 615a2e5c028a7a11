package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Revision;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.AttackSpec;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.e2e.harness.DataPlaneHarness.RunningPod;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Containment during an attack, end to end (issue #15): the real operator, the real data plane (two stable
 * pods and a canary, each a real model server and sidecar), a Square Attack running against the Service,
 * and the runbook's own kubectl commands. Each containment must reach every sidecar within 5 s, with no
 * rollout: same revision, same pods, no analysis. Prints the measured times ([e2e] lines).
 */
@WithControlPlane(podSecurity = "restricted")
class ContainmentScenariosTest {
    /** The contract for "takes effect in every sidecar", per sidecar. */
    static final Duration CONTRACT = Duration.ofSeconds(5);
    /** Examples of the first release's analysis: enough to gate it, small for CI (noise attack only). */
    static final int SAMPLES = 30;
    static final String SECRET = Scenario.MODEL + "-clients";
    /** The runbook's example client (docs/runbooks.md): the attacker's name in the API-key Secret. */
    static final String ATTACKER = "attacker-7";
    static final String ATTACKER_KEY = "sk-attacker-7-a9f0c2d4";
    static final String FRONTEND_KEY = "sk-shop-frontend-71be03";
    /** The on-call engineer's probe: its own client, with a limit that polling never reaches. */
    static final String PROBE_KEY = "sk-oncall-probe-5d21e8";
    /** An address in the runbook's example range, written into X-Forwarded-For by a trusted proxy (127.0.0.1 here). */
    static final String BLOCKED_ADDRESS = "203.0.113.9";

    @Test
    void containmentUnderASquareAttackReachesEverySidecarWithinSecondsWithoutARollout(KubernetesClient client, TestNamespace ns,
            LocalControlPlane plane) throws Exception {
        try (Scenario s = Scenario.start(client, ns.name(), plane.repoRoot());
                DetectorConfigWatch config = new DetectorConfigWatch(client, ns.name(), Scenario.MODEL + "-detector")) {
            RunbookCommands runbook = new RunbookCommands(plane.repoRoot(), plane.kubectl(), plane.kubeconfig(), Scenario.MODEL,
                    ns.name());
            s.createClientsSecret(SECRET, Map.of(ATTACKER, ATTACKER_KEY, "shop-frontend", FRONTEND_KEY),
                    Map.of("oncall-probe", PROBE_KEY));

            // Two stable pods, then a canary held open: its analysis Job asks for more CPU than any node has,
            // so the canary serves (a third sidecar) while its analysis waits to be scheduled.
            s.apply("robust", "1", SAMPLES, m -> containmentManifest(m, false));
            String stable = Revision.of(s.model().getSpec());
            Scenario.Timeline first = s.timeline(stable);
            first.awaitOutcome(RolloutScenariosTest.ROLLOUT_TIMEOUT, x -> "Ready".equals(x.phase));
            System.out.println(first.summary("containment: first release (robust, 2 replicas)"));
            s.apply("standard", "1", SAMPLES, m -> containmentManifest(m, true));
            String canary = Revision.of(s.model().getSpec());
            Instant canaryApplied = Instant.now();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                s.assertHarnessHealthy();
                RobustModelStatus st = s.status();
                return st != null && canary.equals(st.canaryRevision)
                        && s.harness.servingReadyAt(Scenario.MODEL + "-" + canary + "-").isPresent()
                        && s.harness.servingPods().size() == 3;
            });
            double canaryReady = Duration.between(canaryApplied, Instant.now()).toMillis() / 1000.0;
            String canaryRun = s.status().analysis.runName;
            Pod held = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> client.pods()
                    .inNamespace(ns.name()).withLabel("job-name", canaryRun).list().getItems().stream().findFirst().orElse(null),
                    p -> p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                            .stream().anyMatch(c -> "PodScheduled".equals(c.getType()) && "Unschedulable".equals(c.getReason())));
            assertThat(held.getStatus().getPhase()).isEqualTo("Pending");
            System.out.printf("[e2e] containment: canary %s serving beside stable %s after %.1f s; its analysis %s waits "
                    + "(pod %s Pending, Unschedulable: 64 CPUs asked)%n", canary, stable, canaryReady, canaryRun,
                    held.getMetadata().getName());

            // What must not change.
            List<RunningPod> pods = s.harness.servingPods();
            Map<String, String> templates = deploymentTemplates(s);
            List<String> runs = names(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).list().getItems());
            List<String> jobs = names(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems());
            long generation = s.model().getMetadata().getGeneration();
            assertThat(pods).extracting(p -> p.labels().get(Labels.REVISION)).containsOnly(stable, canary);
            for (RunningPod p : pods) { // the production path: each sidecar watches the ConfigMap with its own token
                assertThat(s.harness.log(p.name(), ServingDeployment.SIDECAR_CONTAINER)).as(p.name())
                        .contains("watching ConfigMap " + ns.name() + "/" + Scenario.MODEL + "-detector");
            }
            String flagOnly = config.current().sha();
            assertThat(pods).allSatisfy(p -> assertThat(Sidecars.configSha(p)).contains(flagOnly));

            // The probe's input is flagged (query similarity) once a sidecar has seen it: served under action flag.
            String probeImage = Sidecars.body(images(1, 40)[0]);
            Map<String, Long> probeMs = new TreeMap<>();
            for (RunningPod p : pods) {
                double flagsBefore = Sidecars.metric(p, "robustml_sidecar_flags_total", "querySimilarity");
                assertThat(Sidecars.infer(p, Scenario.MODEL, PROBE_KEY, null, probeImage).statusCode()).isEqualTo(200);
                Instant sent = Instant.now();
                assertThat(Sidecars.infer(p, Scenario.MODEL, PROBE_KEY, null, probeImage).statusCode()).as("flagged, but only counted")
                        .isEqualTo(200);
                probeMs.put(p.name(), Duration.between(sent, Instant.now()).toMillis());
                // Action flag inspects after answering: the count follows within milliseconds.
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(Sidecars.metric(p, "robustml_sidecar_flags_total", "querySimilarity")).isGreaterThan(flagsBefore));
            }
            System.out.println("[e2e] containment: a flagged probe request takes (ms, per sidecar, action flag) " + probeMs);

            LabelledImages victims = dataset(4, 0);
            Instant attackStarted = Instant.now();
            try (SquareAttacker attacker = SquareAttacker.start(s.harness.serviceUrl(Scenario.MODEL, "http"), Scenario.MODEL,
                    ATTACKER_KEY, victims.images(), victims.labels(),
                    new SquareAttacker.SquareAttackSettings(0.1f, 200, Duration.ofMillis(40)))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> attacker.statuses(attackStarted, Instant.now()).getOrDefault(200, 0) >= 20);

                // Containment 1: action block. Each sidecar refuses a flagged input with 403.
                RunbookCommands.Result block = runbook.run("action-block");
                DetectorConfigWatch.Version blocking = config.nextAfter(block.started(), flagOnly, Duration.ofSeconds(30));
                Map<String, Duration> blocked = Sidecars.untilEach(pods, block.returned(), Duration.ofSeconds(30),
                        p -> Sidecars.infer(p, Scenario.MODEL, PROBE_KEY, null, probeImage), Sidecars::blockedAsFlagged);
                report("action: block", block, blocking, blocked);

                // Containment 2: the attacker's client name in blockedClients. Every sidecar refuses it even for an
                // input no detector flags; another client is served.
                RunbookCommands.Result byName = runbook.run("block-api-key");
                DetectorConfigWatch.Version named = config.nextAfter(byName.started(), blocking.sha(), Duration.ofSeconds(30));
                Map<String, Duration> refused = Sidecars.untilEach(pods, byName.returned(), Duration.ofSeconds(30),
                        p -> Sidecars.infer(p, Scenario.MODEL, ATTACKER_KEY, null, Sidecars.freshBody()), Sidecars::blockedClient);
                report("blockedClients += apiKey " + ATTACKER, byName, named, refused);
                for (RunningPod p : pods) {
                    assertThat(Sidecars.infer(p, Scenario.MODEL, FRONTEND_KEY, null, Sidecars.freshBody()).statusCode())
                            .as("another client is still served by " + p.name()).isEqualTo(200);
                }
                assertThat(pods).allSatisfy(p -> assertThat(Sidecars.metric(p, "robustml_sidecar_requests_total",
                        "outcome=\"blocked_client\"")).as(p.name()).isPositive());
                Thread.sleep(1000); // let the attacker meet the block through the Service
                Map<Integer, Integer> beforeBlock = attacker.statuses(attackStarted, block.returned());
                Map<Integer, Integer> afterName = attacker.statuses(Instant.now().minusMillis(900), Instant.now());
                System.out.printf("[e2e] containment: Square Attack (linf 0.1, 4 examples, <= 200 queries each, %d runs so far): "
                        + "HTTP %s before any containment, %s in the last 0.9 s%n", attacker.runs(), beforeBlock, afterName);
                assertThat(beforeBlock.getOrDefault(200, 0)).isPositive();
                assertThat(afterName.keySet()).as("the attacker gets only 403s through the Service").containsOnly(403);

                // Containment 3: an address range, seen through a trusted proxy's X-Forwarded-For.
                RunbookCommands.Result byRange = runbook.run("block-cidr");
                DetectorConfigWatch.Version ranged = config.nextAfter(byRange.started(), named.sha(), Duration.ofSeconds(30));
                Map<String, Duration> rangeRefused = Sidecars.untilEach(pods, byRange.returned(), Duration.ofSeconds(30),
                        p -> Sidecars.infer(p, Scenario.MODEL, FRONTEND_KEY, BLOCKED_ADDRESS, Sidecars.freshBody()),
                        Sidecars::blockedClient);
                report("blockedClients += cidr 203.0.113.0/24", byRange, ranged, rangeRefused);
                for (RunningPod p : pods) {
                    assertThat(Sidecars.infer(p, Scenario.MODEL, FRONTEND_KEY, "198.51.100.4", Sidecars.freshBody()).statusCode())
                            .isEqualTo(200);
                }

                // A mistaken kubectl edit of the ConfigMap: every sidecar keeps the config in force and says why.
                malformedConfigIsRejectedAndRepaired(s, config, pods, ranged);
            }

            // Unblock, then throttle everyone: the remaining runbook commands, enforced in every sidecar.
            // The version in force before the command: read after it, it may already be the operator's new one
            // (it writes ~35 ms after kubectl returns), and no later change would ever come.
            String repaired = config.current().sha();
            RunbookCommands.Result unblock = runbook.run("unblock");
            DetectorConfigWatch.Version unblocked = config.nextAfter(unblock.started(), repaired, Duration.ofSeconds(30));
            Map<String, Duration> served = Sidecars.untilEach(pods, unblock.returned(), Duration.ofSeconds(30),
                    p -> Sidecars.infer(p, Scenario.MODEL, ATTACKER_KEY, null, Sidecars.freshBody()), r -> r.statusCode() == 200);
            report("blockedClients -= apiKey " + ATTACKER, unblock, unblocked, served);
            assertThat(unblocked.content()).contains("203.0.113.0/24").doesNotContain(ATTACKER);

            RunbookCommands.Result throttle = runbook.run("rate-limit");
            DetectorConfigWatch.Version throttled = config.nextAfter(throttle.started(), unblocked.sha(), Duration.ofSeconds(30));
            Map<String, Duration> reloaded = Sidecars.untilEach(pods, throttle.returned(), Duration.ofSeconds(30), Sidecars::configSha,
                    sha -> sha.equals(java.util.Optional.of(throttled.sha())), String::valueOf);
            report("rateLimit 600 -> 60/min, burst 10 (config_info)", throttle, throttled, reloaded);
            for (RunningPod p : pods) { // the client's bucket starts anew at the new burst: 10 requests pass, then one a second
                int sent = 0;
                long start = System.nanoTime();
                while (Sidecars.infer(p, Scenario.MODEL, FRONTEND_KEY, null, Sidecars.freshBody()).statusCode() != 429) {
                    // The burst plus what the bucket refilled (1/s) while the requests went out, on a loaded machine too.
                    long refilled = (System.nanoTime() - start) / 1_000_000_000L + 1;
                    assertThat(++sent).as("requests before a 429 from " + p.name()).isLessThanOrEqualTo(10 + (int) refilled);
                }
                assertThat(sent).as("the burst passes on " + p.name()).isGreaterThanOrEqualTo(10);
            }

            // Every sidecar reports the config the operator rendered (the runbook's check), and nothing rolled out.
            String expected = runbook.run("expected-sha").stdout();
            assertThat(expected).isEqualTo(throttled.sha());
            assertThat(pods).allSatisfy(p -> assertThat(Sidecars.configSha(p)).as(p.name()).contains(expected));
            RobustModelStatus st = s.status();
            assertThat(st.stableRevision).isEqualTo(stable);
            assertThat(st.canaryRevision).isEqualTo(canary);
            assertThat(s.harness.servingPods()).extracting(RunningPod::name, RunningPod::uid)
                    .containsExactlyElementsOf(pods.stream().map(p -> org.assertj.core.groups.Tuple.tuple(p.name(), p.uid())).toList());
            assertThat(deploymentTemplates(s)).as("pod templates (and so pod-template-hash) unchanged").isEqualTo(templates);
            assertThat(names(client.resources(AdversarialTestRun.class).inNamespace(ns.name()).list().getItems()))
                    .as("no analysis started by containment").isEqualTo(runs);
            assertThat(names(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems())).isEqualTo(jobs);
            assertThat(s.model().getMetadata().getGeneration()).as("five spec changes").isEqualTo(generation + 5);
            System.out.printf("[e2e] containment: 5 spec changes (generation %d -> %d), revisions %s/%s, the same %d pods, "
                    + "runs %s, jobs %s%n", generation, s.model().getMetadata().getGeneration(), stable, canary, pods.size(), runs, jobs);
            s.assertHarnessHealthy();
        }
    }

    /** The scenario manifest for containment: 2 replicas, API keys, a trusted proxy; {@code holdCanary}: an unschedulable analysis. */
    static void containmentManifest(RobustModel m, boolean holdCanary) {
        m.getSpec().serving.replicas = 2;
        m.getSpec().threatModel.attacks.removeIf(a -> a.type == AttackSpec.AttackType.PGD);
        m.getSpec().slos.minCleanAccuracy = "0.5";
        DetectorSpec.AuthenticationSpec auth = new DetectorSpec.AuthenticationSpec();
        auth.apiKeysSecret = SECRET;
        // Unknown and missing keys are refused (401): the operator's own analysis gets through with the
        // model's tester key (TesterKey), which every sidecar knows.
        auth.anonymous = io.robustml.oip.detector.DetectorConfig.Anonymous.DENY;
        DetectorSpec.TrustedProxy proxy = new DetectorSpec.TrustedProxy();
        proxy.cidr = "127.0.0.1/32"; // the harness's Service forwarders and the test's own calls come from loopback
        auth.trustedProxies = List.of(proxy);
        m.getSpec().detector.authentication = auth;
        if (holdCanary) {
            // The canary takes its replica share of the Service's clients (the attacker's too) while it waits.
            if (m.getSpec().rollout.canary == null) {
                m.getSpec().rollout.canary = new io.robustml.crds.model.RolloutSpec.CanarySpec();
                m.getSpec().rollout.canary.replicas = 1;
            }
            m.getSpec().rollout.canary.exposeDuringAnalysis = true;
            m.getSpec().rollout.analysis.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                    .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("64")).build();
        }
    }

    private static void report(String change, RunbookCommands.Result command, DetectorConfigWatch.Version cm,
            Map<String, Duration> perPod) {
        Duration last = perPod.values().stream().max(Duration::compareTo).orElseThrow();
        System.out.printf("[e2e] containment %s: kubectl %d ms; kubectl returned -> ConfigMap updated %+d ms (operator); "
                + "-> enforced in every sidecar %d ms (%s)%n", change, command.took().toMillis(),
                Duration.between(command.returned(), cm.seen()).toMillis(), last.toMillis(), Sidecars.millis(perPod));
        assertThat(perPod).allSatisfy((pod, d) -> assertThat(d).as(change + " in " + pod).isLessThanOrEqualTo(CONTRACT));
    }

    private static void malformedConfigIsRejectedAndRepaired(Scenario s, DetectorConfigWatch config, List<RunningPod> pods,
            DetectorConfigWatch.Version inForce) throws Exception {
        Map<String, Double> rejectedBefore = new TreeMap<>();
        pods.forEach(p -> rejectedBefore.put(p.name(), Sidecars.metric(p, "robustml_sidecar_config_rejected_total", "")));
        Instant edited = Instant.now();
        s.client.configMaps().inNamespace(s.ns).withName(Scenario.MODEL + "-detector").edit(cm -> {
            cm.getData().put("detector.json", "{\"model\": \"" + Scenario.MODEL + "\", \"detector\": {\"action\": \"blok\"");
            return cm;
        });
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> pods.stream()
                .allMatch(p -> Sidecars.metric(p, "robustml_sidecar_config_rejected_total", "") > rejectedBefore.get(p.name())));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> !rejectionEvents(s).isEmpty());
        List<Event> events = rejectionEvents(s);
        for (RunningPod p : pods) {
            assertThat(Sidecars.configSha(p)).as("the config in force stays in " + p.name()).contains(inForce.sha());
            assertThat(Sidecars.blockedClient(Sidecars.infer(p, Scenario.MODEL, ATTACKER_KEY, null, Sidecars.freshBody())))
                    .as("the attacker stays blocked by " + p.name()).isTrue();
        }
        Event e = events.get(0);
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("RobustModel");
        assertThat(e.getMessage()).contains("not valid JSON");
        // The operator owns the ConfigMap: it renders it from the spec again.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> inForce.content().equals(
                s.client.configMaps().inNamespace(s.ns).withName(Scenario.MODEL + "-detector").get().getData().get("detector.json")));
        Instant restored = config.versions().stream().filter(v -> v.seen().isAfter(edited) && v.sha().equals(inForce.sha()))
                .findFirst().orElseThrow().seen();
        System.out.printf("[e2e] containment: malformed detector.json written into the ConfigMap: rejected by all %d sidecars "
                + "(config %s kept, attacker still 403), %d DetectorConfigRejected events (\"%.90s…\"), ConfigMap rendered again "
                + "by the operator %d ms after the edit%n", pods.size(), inForce.sha(), events.size(), e.getMessage(),
                Duration.between(edited, restored).toMillis());
    }

    private static List<Event> rejectionEvents(Scenario s) {
        return s.client.v1().events().inNamespace(s.ns).list().getItems().stream()
                .filter(e -> "DetectorConfigRejected".equals(e.getReason()) && Scenario.MODEL.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    private static Map<String, String> deploymentTemplates(Scenario s) {
        Map<String, String> t = new TreeMap<>();
        for (Deployment d : s.servingDeployments()) {
            t.put(d.getMetadata().getName() + " generation " + d.getMetadata().getGeneration(),
                    s.client.getKubernetesSerialization().asJson(d.getSpec().getTemplate()));
        }
        return t;
    }

    private static List<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> objects) {
        return objects.stream().map(o -> o.getMetadata().getName()).sorted().toList();
    }

    /** {@code count} Fashion-MNIST test images from index {@code from}. */
    static float[][] images(int count, int from) throws java.io.IOException {
        LabelledImages d = dataset(count, from);
        return d.images();
    }

    static LabelledImages dataset(int count, int from) throws java.io.IOException {
        LabelledImages all = IdxFiles.read(Scenario.DATASET.resolve("t10k-images-idx3-ubyte.gz"),
                Scenario.DATASET.resolve("t10k-labels-idx1-ubyte.gz"), from + count);
        return all.slice(from, from + count);
    }
}
