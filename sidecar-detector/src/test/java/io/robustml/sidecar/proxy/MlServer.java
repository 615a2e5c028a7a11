package io.robustml.sidecar.proxy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * MLServer 1.7.1 from PyPI, a third-party Open Inference Protocol server without the binary tensor
 * extension, serving the standard reference model's ONNX export through the robustml/mlserver-onnx
 * image's own entrypoint and runtime (images/mlserver-onnx), run from the Python environment that
 * {@code scripts/python-env mlserver-onnx} makes with the image's requirements.
 */
public class MlServer implements QuarkusTestResourceLifecycleManager {
    static final String STANDARD_ONNX_SHA256 = "e6a6be03e1ce19d51bb551529d4a60584aa31d43cd5e5925c2d3eaf438ddf54f";
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private Process process;

    @Override
    public Map<String, String> start() {
        Path venv = Path.of(System.getProperty("user.home"), ".cache/robustml/mlserver-onnx-venv");
        if (!Files.isExecutable(venv.resolve("bin/python3"))) {
            throw new IllegalStateException(venv + " is missing: scripts/python-env mlserver-onnx (scripts/install makes it)");
        }
        try {
            int port;
            int grpc; // MLServer's gRPC listener: its own free port (the image's port + 1 may be taken on a shared machine)
            try (ServerSocket s = new ServerSocket(0); ServerSocket g = new ServerSocket(0)) {
                port = s.getLocalPort();
                grpc = g.getLocalPort();
            }
            Path tmp = Files.createDirectories(Path.of("target/mlserver").toAbsolutePath());
            Path log = tmp.resolve("mlserver.log");
            ProcessBuilder pb = new ProcessBuilder(REPO.resolve("images/mlserver-onnx/entrypoint").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(Map.of(
                    "PATH", venv.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                    "PYTHONPATH", REPO.resolve("images/mlserver-onnx").toString(),
                    "TMPDIR", tmp.toString(),
                    "ROBUSTML_MODEL_NAME", "fashion",
                    "ROBUSTML_MODEL_URI", "file://" + REPO.resolve("model-server/models/fashion-standard.onnx"),
                    "ROBUSTML_MODEL_SHA256", STANDARD_ONNX_SHA256,
                    "ROBUSTML_MODEL_FORMAT", "onnx",
                    "QUARKUS_HTTP_HOST", "127.0.0.1",
                    "QUARKUS_HTTP_PORT", Integer.toString(port),
                    "MLSERVER_GRPC_PORT", Integer.toString(grpc)));
            process = pb.start();
            String url = "http://127.0.0.1:" + port;
            io.robustml.controlplane.Readiness.await(process, url + "/v2/models/fashion/ready", java.time.Duration.ofSeconds(90),
                    "MLServer", log);
            return Map.of("robustml.upstream", url);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy(); // SIGTERM: the entrypoint exec'd MLServer, which shuts down on it
        }
    }
}
