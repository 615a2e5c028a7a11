package io.robustml.controlplane;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real detector sidecar (the sidecar-detector module's packaged Quarkus app) in front of an
 * upstream model server on a free loopback port, configured as the operator configures it in a pod.
 */
public final class SidecarProcess implements AutoCloseable {
    private final Process process;
    private final String url;

    private SidecarProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * @param detectorConfig a detector.json as the operator renders it (null: detectors off)
     * @param verdictKeys    API keys allowed to see verdicts, comma-separated (null: none)
     */
    public static SidecarProcess start(Path repoRoot, String upstream, Path detectorConfig, String verdictKeys, Path log) {
        Path jar = repoRoot.resolve("sidecar-detector/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the sidecar-detector module first");
        }
        try {
            int port;
            int managementPort; // the sidecar's metrics port (9090 in a pod): two sidecars must not share it
            try (ServerSocket s = new ServerSocket(0); ServerSocket m = new ServerSocket(0)) {
                port = s.getLocalPort();
                managementPort = m.getLocalPort();
            }
            ProcessBuilder pb = new ProcessBuilder("java", "-jar", jar.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = new HashMap<>(Map.of("ROBUSTML_UPSTREAM", upstream, "QUARKUS_HTTP_HOST", "127.0.0.1",
                    "QUARKUS_HTTP_PORT", Integer.toString(port), "QUARKUS_MANAGEMENT_HOST", "127.0.0.1",
                    "QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort)));
            if (detectorConfig != null) {
                env.put("ROBUSTML_DETECTOR_CONFIG", detectorConfig.toAbsolutePath().toString());
            }
            if (verdictKeys != null) {
                env.put("ROBUSTML_VERDICT_API_KEYS", verdictKeys);
            }
            pb.environment().putAll(env);
            Process process = pb.start();
            String url = "http://127.0.0.1:" + port;
            Readiness.await(process, url + "/v2/health/ready", java.time.Duration.ofSeconds(60), "sidecar", log);
            return new SidecarProcess(process, url);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
