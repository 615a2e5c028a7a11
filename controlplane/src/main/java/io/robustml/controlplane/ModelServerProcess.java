package io.robustml.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real model server (the model-server module's packaged Quarkus app) serving one of the committed
 * reference models on a free loopback port, for tests of the programs that talk to it.
 */
public final class ModelServerProcess implements AutoCloseable {
    public static final String STANDARD_SHA256 = "1e8dfad8d18a81c432455bff6e1bc24149198764bdf625c19167a52126756234";
    public static final String ROBUST_SHA256 = "763e847d786272ae0376ba535b2c9189825df844ec07d05d67a3718005370518";

    private final Process process;
    private final String url;

    private ModelServerProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts {@code fashion-<model>.pt} from {@code <repoRoot>/model-server/models} under the OIP name
     * {@code name}, logging to {@code log}, and waits up to 60 s until it is ready.
     */
    public static ModelServerProcess start(Path repoRoot, String model, String name, Path log) {
        Path jar = repoRoot.resolve("model-server/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the model-server module first (./mvnw -pl model-server package)");
        }
        String sha = switch (model) {
            case "standard" -> STANDARD_SHA256;
            case "robust" -> ROBUST_SHA256;
            default -> throw new IllegalArgumentException("no reference model " + model);
        };
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder pb = new ProcessBuilder("java", "-Dai.djl.offline=true", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(Map.of(
                    "ROBUSTML_MODEL_NAME", name,
                    "ROBUSTML_MODEL_URI", modelFile(repoRoot, model).toString(),
                    "ROBUSTML_MODEL_SHA256", sha,
                    "QUARKUS_HTTP_HOST", "127.0.0.1",
                    "QUARKUS_HTTP_PORT", Integer.toString(port)));
            Process process = pb.start();
            ModelServerProcess server = new ModelServerProcess(process, "http://127.0.0.1:" + port);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path modelFile(Path repoRoot, String model) {
        return repoRoot.resolve("model-server/models/fashion-" + model + ".pt").toAbsolutePath().normalize();
    }

    private void awaitReady(Path log) {
        Readiness.await(process, url + "/v2/health/ready", java.time.Duration.ofSeconds(60), "model server", log);
    }

    /** Base URL, e.g. http://127.0.0.1:41234. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
