package io.robustml.controlplane;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local control plane started by {@code scripts/cluster}: a real kube-apiserver, etcd, controller
 * manager, scheduler and kwok. One instance per JVM; it reuses a cluster that is already running
 * (a developer's {@code scripts/cluster up}) and stops only one it started itself.
 */
public final class LocalControlPlane implements AutoCloseable {
    /** The Kubernetes release scripts/cluster builds and runs. */
    public static final String K8S_VERSION = "v1.35.4";
    private static final long START_TIMEOUT_MINUTES = 30; // a cold build of the binaries takes ~5–10 min

    private final Path repoRoot;
    private final Path kubeconfig;
    private final boolean startedHere;

    private LocalControlPlane(Path repoRoot, Path kubeconfig, boolean startedHere) {
        this.repoRoot = repoRoot;
        this.kubeconfig = kubeconfig;
        this.startedHere = startedHere;
    }

    /** Starts the control plane unless it already runs, and returns a handle to it. */
    public static LocalControlPlane startOrReuse() {
        Path root = RepoRoot.find();
        boolean running = run(root, List.of("status"), false) == 0;
        if (!running && run(root, List.of("up"), true) != 0) {
            throw new IllegalStateException("scripts/cluster up failed; see its output above and the logs under "
                    + clusterDir());
        }
        Path kubeconfig = clusterDir().resolve("kubeconfig");
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalStateException("no kubeconfig at " + kubeconfig + " after scripts/cluster up");
        }
        return new LocalControlPlane(root, kubeconfig, !running);
    }

    /** The state folder of scripts/cluster (same default as the script). */
    static Path clusterDir() {
        String dir = System.getenv("ROBUSTML_CLUSTER_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        return Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "robustml-cluster");
    }

    /** Where scripts/cluster build puts the binaries (same default as the script). */
    static Path binDir() {
        String dir = System.getenv("ROBUSTML_K8S_BIN");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("robustml").resolve("k8s-" + K8S_VERSION);
    }

    /** The kubectl built with the control plane (same release), for tests that run documented commands. */
    public Path kubectl() {
        return binDir().resolve("kubectl");
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public Path repoRoot() {
        return repoRoot;
    }

    /** A Fabric8 client configuration for the admin user of the local cluster. */
    public Config config() {
        try {
            return Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    /** The API server's version, e.g. {@code v1.35.4}. */
    public String serverVersion() {
        try (KubernetesClient client = newClient()) {
            VersionInfo info = client.getKubernetesVersion();
            return info.getGitVersion();
        }
    }

    @Override
    public void close() {
        if (startedHere) {
            run(repoRoot, List.of("down"), true);
        }
    }

    private static int run(Path root, List<String> args, boolean showOutput) {
        var command = new java.util.ArrayList<String>();
        command.add(root.resolve("scripts/cluster").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(showOutput ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            if (!p.waitFor(START_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("scripts/cluster " + args + " did not finish in "
                        + START_TIMEOUT_MINUTES + " minutes");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running scripts/cluster " + args, e);
        }
    }
}
