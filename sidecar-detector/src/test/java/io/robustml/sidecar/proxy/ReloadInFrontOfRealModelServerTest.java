package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Config reload without a restart, in front of the real model server: detector.json is rewritten the
 * way the kubelet updates a ConfigMap volume (a new version folder, the {@code ..data} link swapped)
 * and the sidecar, polling every 200 ms, enforces the new config on the next request.
 */
@QuarkusTest
@TestProfile(ReloadInFrontOfRealModelServerTest.Reloading.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class ReloadInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ConfigFiles FILES = new ConfigFiles(Path.of("target/reload-test"));
    static final String FLAG = "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"querySimilarity\"],\"action\":\"flag\"}}";
    static final String BLOCK = "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"querySimilarity\"],\"action\":\"block\"}}";

    public static class Reloading implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ConfigFiles.clean(Path.of("target/reload-test"));
            FILES.write(FLAG, null);
            return Map.of("robustml.detector-config", FILES.detectorJson().toString(),
                    "robustml.api-keys-file", FILES.clientsJson().toString(),
                    "robustml.detector-config.poll-ms", "200",
                    "robustml.verdict-api-keys", "analysis-key");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @jakarta.inject.Inject
    InspectionFlow flow;

    private HttpResponse<String> post(int image) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .header(ClientIdentity.API_KEY_HEADER, "client-key") // no authentication: the source address is the client
                .POST(HttpRequest.BodyPublishers.ofString(Images.request(image))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI base() throws Exception {
        return infer.toURI().resolve("/");
    }

    /** Sends the replay of {@code image} until it gets {@code status}; the milliseconds that took. */
    private long untilStatus(int image, int status, long timeoutMs) throws Exception {
        long start = System.nanoTime();
        while (true) {
            HttpResponse<String> r = post(image);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (r.statusCode() == status) {
                return ms;
            }
            assertThat(ms).as("no %d within %d ms; last %d %s", status, timeoutMs, r.statusCode(), r.body()).isLessThan(timeoutMs);
            Thread.sleep(20);
        }
    }

    @Test
    void switchesActionBlocksClientsAndSurvivesBadConfigsWithoutRestart() throws Exception {
        String shaFlag = Metrics.configSha(base());
        assertThat(shaFlag).hasSize(12);
        double reloads = Metrics.value(base(), "robustml_sidecar_config_reloads_total");

        // action flag: a replay is flagged and answered; its forensic record is one JSON line on stdout
        assertThat(post(1).statusCode()).isEqualTo(200);
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        HttpResponse<String> replay;
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            replay = post(1);
            // action flag answers first and inspects after: the line comes once the inspection is done
            Inspections.awaitIdle(flow);
        } finally {
            System.setOut(original);
        }
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).as("verdicts are the analysis' alone").isEmpty();
        List<JsonNode> lines = forensicLines(captured.toString(StandardCharsets.UTF_8));
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.path("requestId").asText()).isEqualTo("img-1");
        assertThat(line.path("model").asText()).isEqualTo("fashion");
        assertThat(line.path("client").asText()).isEqualTo("addr:127.0.0.1");
        assertThat(line.path("source").asText()).isEqualTo("127.0.0.1");
        assertThat(line.path("action").asText()).isEqualTo("flag");
        assertThat(line.at("/flaggedRows/0/scores/querySimilarityMatches").asInt()).isGreaterThanOrEqualTo(20);
        assertThat(line.at("/output/outputs/1/data").toString()).isEqualTo(JSON.readTree(replay.body()).at("/outputs/1/data").toString());
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("client-key");

        // flag → block by rewriting the file: the next flagged request is a 403 within the poll interval
        FILES.write(BLOCK, null);
        long toBlock = untilStatus(1, 403, 5_000);
        System.out.printf("[reload] action flag -> block enforced after %d ms (poll 200 ms)%n", toBlock);
        assertThat(Metrics.value(base(), "robustml_sidecar_config_reloads_total")).isEqualTo(reloads + 1);
        assertThat(Metrics.configSha(base())).isNotEqualTo(shaFlag);
        assertThat(post(2).statusCode()).as("a new image still passes").isEqualTo(200);

        // a blocked client (our own address) is refused before anything else; removed, it is served again
        String blocked = BLOCK.replace("\"action\"", "\"blockedClients\":[{\"cidr\":\"127.0.0.0/8\",\"reason\":\"drill\"}],\"action\"");
        double blockedBefore = Metrics.value(base(), "robustml_sidecar_requests_total{outcome=\"blocked_client\"}");
        FILES.write(blocked, null);
        long start = System.nanoTime();
        int image = 100;
        while (!post(image++).body().contains("client blocked")) { // a new image each time: never a similarity block
            assertThat((System.nanoTime() - start) / 1_000_000).as("blocked client within 5 s").isLessThan(5_000);
            Thread.sleep(20);
        }
        System.out.printf("[reload] blocked client enforced after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        HttpResponse<String> refused = post(4);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("error").asText()).isEqualTo("client blocked: drill");
        assertThat(Metrics.value(base(), "robustml_sidecar_requests_total{outcome=\"blocked_client\"}"))
                .isGreaterThanOrEqualTo(blockedBefore + 2);
        FILES.write(BLOCK, null);
        untilStatus(5, 200, 5_000);

        // malformed JSON, then a valid JSON with an invalid value: rejected, the block config stays, still serving
        String shaBlock = Metrics.configSha(base());
        double rejected = Metrics.value(base(), "robustml_sidecar_config_rejected_total");
        FILES.write("{\"model\":\"fashion\",\"detector\":{", null);
        awaitMetric("robustml_sidecar_config_rejected_total", rejected + 1);
        FILES.write(BLOCK.replace("\"block\"", "\"explode\""), null);
        awaitMetric("robustml_sidecar_config_rejected_total", rejected + 2);
        assertThat(Metrics.configSha(base())).isEqualTo(shaBlock);
        assertThat(post(6).statusCode()).as("still serving").isEqualTo(200);
        assertThat(post(6).statusCode()).as("still blocking replays").isEqualTo(403);
        assertThat(HTTP.send(HttpRequest.newBuilder(base().resolve("/v2/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // back to a valid config: applied again
        FILES.write(FLAG, null);
        untilStatus(6, 200, 5_000);
        assertThat(Metrics.configSha(base())).isEqualTo(shaFlag);
    }

    private void awaitMetric(String name, double atLeast) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Metrics.value(base(), name) < atLeast) {
            assertThat(System.nanoTime()).as(name + " did not reach " + atLeast).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static List<JsonNode> forensicLines(String stdout) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : stdout.split("\n")) {
            if (l.contains("\"category\":\"robustml.forensic\"")) {
                lines.add(JSON.readTree(l)); // each must parse on its own: one record, one line
            }
        }
        return lines;
    }

    /** Writes to the real stdout and to a buffer. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
