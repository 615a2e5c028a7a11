package io.robustml.modelserver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.robustml.modelserver.Fixtures;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our model server against MLServer 1.7.1 on the same TorchScript file, same machine, same run: each
 * server is a process on loopback, loaded by {@code wrk} (a C load generator, so neither server shares
 * its CPU with a JVM client), in interleaved rounds that rotate the servers' order. Ours runs twice:
 * with its defaults (dynamic batching on) and with batching off, for the batching ratio. MLServer runs
 * with its defaults and a TorchScript custom runtime ({@code src/bench/python/mlserver}); it has no binary
 * tensor extension over HTTP, so binary rows compare our binary with its JSON.
 *
 * <p>Needs {@code /usr/bin/wrk} ({@code scripts/install}) and MLServer's venv ({@code scripts/python-env mlserver}).
 * Run: {@code ./mvnw -pl model-server -am -Pbench verify -DskipITs=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.rounds=3 -Dbench.seconds=5}).
 */
class ServingPeerBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
    private static final Path WRK = Path.of("/usr/bin/wrk");
    private static final Path MLSERVER = Path.of(System.getenv().getOrDefault("ROBUSTML_MLSERVER_VENV",
            System.getProperty("user.home") + "/.cache/robustml/mlserver-venv"), "bin", "mlserver");
    private static final String MLSERVER_NAME = "MLServer 1.7.1";
    private static final String OURS = "ours";
    private static final String OURS_UNBATCHED = "ours, batching off";

    /** One load: a body, how it is framed, how many connections keep it going. */
    private record Load(String name, Path body, String headerLength, int rows, int connections, List<String> servers) {
    }

    private record Result(double requestsPerSecond, double p50Ms, double p99Ms) {
    }

    @Test
    void againstMlServerOnTheSameModel() throws Exception {
        assertThat(WRK).as("wrk: scripts/install").isExecutable();
        assertThat(MLSERVER).as("MLServer: scripts/python-env mlserver").isExecutable();
        Path dir = Files.createTempDirectory("serving-peer-bench");
        Path model = Fixtures.MODELS.resolve("fashion-standard.pt").toAbsolutePath();
        String sha256 = Fixtures.metrics().at("/models/standard/files/torchscript/sha256").asText();
        LabelledImages test = Fixtures.testSet(64);
        List<String> all = List.of(OURS, OURS_UNBATCHED, MLSERVER_NAME);
        List<String> ours = List.of(OURS, OURS_UNBATCHED);
        List<Load> loads = List.of(
                new Load("batch 1, 1 connection", json(dir, test, 1), null, 1, 1, all),
                new Load("batch 1, 4 connections", json(dir, test, 1), null, 1, 4, all),
                new Load("batch 1, 16 connections", json(dir, test, 1), null, 1, 16, all),
                new Load("batch 64, 4 connections", json(dir, test, 64), null, 64, 4, all),
                binary(dir, test, 1, 4, ours),
                binary(dir, test, 64, 4, ours));
        String load0 = Files.readString(Path.of("/proc/loadavg")).trim();
        Map<String, ServerProcess> servers = new LinkedHashMap<>();
        try {
            servers.put(OURS, ours(dir, model, sha256, true));
            servers.put(OURS_UNBATCHED, ours(dir, model, sha256, false));
            servers.put(MLSERVER_NAME, mlserver(dir, model));
            sameAnswers(servers, loads.get(0).body());
            Map<String, List<Result>> results = new LinkedHashMap<>();
            for (Load load : loads) {
                for (String s : load.servers()) {
                    wrk(servers.get(s), load, 2); // warm-up: JIT, pools, connections
                }
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (Load load : loads) {
                    List<String> order = new ArrayList<>(load.servers());
                    java.util.Collections.rotate(order, round);
                    for (String s : order) {
                        results.computeIfAbsent(load.name() + "|" + s, k -> new ArrayList<>()).add(
                                wrk(servers.get(s), load, SECONDS));
                    }
                }
            }
            String load1 = Files.readString(Path.of("/proc/loadavg")).trim();
            print(loads, results, load0, load1);
        } finally {
            for (ServerProcess s : servers.values()) {
                s.close();
            }
        }
    }

    private static ServerProcess ours(Path dir, Path model, String sha256, boolean batching) throws Exception {
        int port = ServerProcess.freePort();
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        assertThat(jar).as("the packaged server (run through failsafe, after package)").exists();
        return ServerProcess.start(batching ? OURS : OURS_UNBATCHED,
                List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:MaxRAMPercentage=50", "-jar",
                        jar.toString()),
                Map.of("ROBUSTML_MODEL_URI", model.toString(), "ROBUSTML_MODEL_SHA256", sha256, "ROBUSTML_MODEL_NAME",
                        "fashion", "QUARKUS_HTTP_PORT", String.valueOf(port), "ROBUSTML_MODEL_BATCHING_ENABLED",
                        String.valueOf(batching)),
                dir, port);
    }

    /** MLServer with its defaults (one parallel inference worker) and the TorchScript runtime. */
    private static ServerProcess mlserver(Path dir, Path model) throws Exception {
        Path root = dir.resolve("mlserver");
        Files.createDirectories(root.resolve("fashion"));
        Files.copy(Path.of("src/bench/python/mlserver/torchscript_runtime.py"), root.resolve("torchscript_runtime.py"));
        int port = ServerProcess.freePort();
        ObjectNode settings = JSON.createObjectNode().put("host", "127.0.0.1").put("http_port", port)
                .put("grpc_port", ServerProcess.freePort()).put("metrics_port", ServerProcess.freePort());
        Files.writeString(root.resolve("settings.json"), settings.toString());
        ObjectNode modelSettings = JSON.createObjectNode().put("name", "fashion")
                .put("implementation", "torchscript_runtime.TorchScriptModel");
        modelSettings.putObject("parameters").put("uri", model.toString());
        Files.writeString(root.resolve("fashion/model-settings.json"), modelSettings.toString());
        return ServerProcess.start(MLSERVER_NAME, List.of(MLSERVER.toString(), "start", "."), Map.of(), root, port);
    }

    /** Before any timing: every server gives the same label and logits (within float noise) for the same image. */
    private static void sameAnswers(Map<String, ServerProcess> servers, Path body) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        float[] first = null;
        for (ServerProcess s : servers.values()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(s.uri("/v2/models/fashion/infer"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofFile(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(s.name() + ": " + r.body()).isEqualTo(200);
            JsonNode data = JSON.readTree(r.body()).at("/outputs/0/data");
            float[] logits = new float[data.size()];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = data.get(i).floatValue();
            }
            if (first == null) {
                first = logits;
            }
            assertThat(logits).as(s.name()).hasSize(10).containsExactly(first, org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    private static Result wrk(ServerProcess server, Load load, int seconds) throws IOException, InterruptedException {
        Path script = Path.of("src/bench/resources/wrk-post.lua").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(WRK.toString(), "-t", String.valueOf(Math.min(2, load.connections())),
                "-c", String.valueOf(load.connections()), "-d", seconds + "s", "-s", script.toString(),
                server.uri("/v2/models/fashion/infer").toString()).redirectErrorStream(true);
        builder.environment().put("BODY", load.body().toString());
        if (load.headerLength() != null) {
            builder.environment().put("HEADER_LENGTH", load.headerLength());
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk failed: " + out);
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2 && parts[0].matches("FAILED|P50|P99|REQUESTS|MICROS")) {
                values.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        if (values.size() != 5 || values.get("FAILED") != 0) {
            throw new IllegalStateException(server.name() + ", " + load.name() + ": failed requests or no summary: " + out);
        }
        return new Result(values.get("REQUESTS") * 1e6 / values.get("MICROS"), values.get("P50") / 1000.0,
                values.get("P99") / 1000.0);
    }

    private static void print(List<Load> loads, Map<String, List<Result>> results, String load0, String load1) {
        System.out.printf("%nmodel-server vs %s, fashion-standard.pt, %d CPUs, %d interleaved rounds of %d s per cell"
                + " (medians); load average %s -> %s%n", MLSERVER_NAME, Runtime.getRuntime().availableProcessors(),
                ROUNDS, SECONDS, load0, load1);
        System.out.printf("%-26s %-20s %9s %10s %8s %8s %12s %12s%n", "load", "server", "req/s", "images/s", "p50 ms",
                "p99 ms", "× MLServer", "p99 / MLS");
        for (Load load : loads) {
            Result peer = median(results.get(load.name().replace(" binary", "") + "|" + MLSERVER_NAME));
            for (String s : load.servers()) {
                Result r = median(results.get(load.name() + "|" + s));
                System.out.printf("%-26s %-20s %9.0f %10.0f %8.3f %8.3f %12s %12s%n", load.name(), s,
                        r.requestsPerSecond(), r.requestsPerSecond() * load.rows(), r.p50Ms(), r.p99Ms(),
                        peer == null ? "-" : String.format("%.2f", r.requestsPerSecond() / peer.requestsPerSecond()),
                        peer == null ? "-" : String.format("%.2f", r.p99Ms() / peer.p99Ms()));
            }
        }
        Result on = median(results.get("batch 1, 16 connections|" + OURS));
        Result off = median(results.get("batch 1, 16 connections|" + OURS_UNBATCHED));
        System.out.printf("dynamic batching, 16 batch-1 clients: %.2f× the images/s of batching off%n",
                on.requestsPerSecond() / off.requestsPerSecond());
    }

    private static Result median(List<Result> rs) {
        if (rs == null) {
            return null;
        }
        return new Result(median(rs.stream().mapToDouble(Result::requestsPerSecond).toArray()),
                median(rs.stream().mapToDouble(Result::p50Ms).toArray()),
                median(rs.stream().mapToDouble(Result::p99Ms).toArray()));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static float[] images(LabelledImages test, int rows) {
        float[] data = new float[rows * 784];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(test.images()[i], 0, data, i * 784, 784);
        }
        return data;
    }

    /** The JSON body numpy-based clients send: float32 values printed as Python floats. */
    private static Path json(Path dir, LabelledImages test, int rows) throws IOException {
        Path file = dir.resolve("batch-" + rows + ".json");
        if (Files.exists(file)) {
            return file;
        }
        StringBuilder data = new StringBuilder();
        for (float v : images(test, rows)) {
            data.append(data.length() == 0 ? "" : ",").append((double) v);
        }
        Files.writeString(file, "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + rows + ",1,28,28],\"datatype\":\"FP32\","
                + "\"data\":[" + data + "]}]}");
        return file;
    }

    /** The body tritonclient sends by default: binary input, binary outputs. */
    private static Load binary(Path dir, LabelledImages test, int rows, int connections, List<String> servers) throws IOException {
        BinaryTensors.Encoded encoded = BinaryTensors.encode(new InferenceRequest(null,
                Map.of(BinaryTensors.BINARY_DATA_OUTPUT, true),
                List.of(BinaryTensors.fp32("input", new long[] {rows, 1, 28, 28}, images(test, rows))), null), JSON);
        Path file = dir.resolve("batch-" + rows + ".bin");
        Files.write(file, encoded.body());
        String name = "batch " + rows + " binary, " + connections + " connections";
        return new Load(name, file, String.valueOf(encoded.headerLength()), rows, connections, servers);
    }
}
