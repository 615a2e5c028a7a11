package io.robustml.sidecar.proxy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the real model server (the model-server module's packaged app) with the standard reference
 * model on a free loopback port, and points the sidecar under test at it.
 */
public class RealModelServer implements QuarkusTestResourceLifecycleManager {
    static final Path JAR = Path.of("../model-server/target/quarkus-app/quarkus-run.jar");
    static final String SHA256 = "1e8dfad8d18a81c432455bff6e1bc24149198764bdf625c19167a52126756234";
    private Process process;

    @Override
    public Map<String, String> start() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build the model-server module first (./mvnw -pl model-server package)");
        }
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder pb = new ProcessBuilder("java", "-Dai.djl.offline=true", "-jar", JAR.toString())
                    .redirectErrorStream(true).redirectOutput(Path.of("target/model-server.log").toFile());
            pb.environment().putAll(Map.of(
                    "ROBUSTML_MODEL_NAME", "fashion",
                    "ROBUSTML_MODEL_URI", Path.of("../model-server/models/fashion-standard.pt").toAbsolutePath().toString(),
                    "ROBUSTML_MODEL_SHA256", SHA256,
                    "QUARKUS_HTTP_HOST", "127.0.0.1",
                    "QUARKUS_HTTP_PORT", Integer.toString(port)));
            process = pb.start();
            String upstream = "http://127.0.0.1:" + port;
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("model server exited; see target/model-server.log");
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(upstream + "/v2/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return Map.of("robustml.upstream", upstream);
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("model server not ready in 60 s; see target/model-server.log");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }
}
