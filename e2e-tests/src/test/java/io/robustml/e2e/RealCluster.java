package io.robustml.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controlplane.LocalControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local cluster used as a user uses a cluster: the real node ({@code scripts/cluster node up}), the
 * four images built and pushed to its registry ({@code scripts/images}), the chart installed with the
 * helm CLI, and a read-only model store ({@code examples/local-cluster/model-store.yaml}). The same steps
 * as {@code scripts/demo}.
 */
final class RealCluster {
    static final String NODE = "real-node-1";
    static final String NODE_LABEL = "robustml.io/real-node";
    static final List<String> IMAGES = List.of("operator", "model-server", "sidecar-detector", "adversarial-tester");
    private static final Pattern LISTED = Pattern.compile("^(\\S+)/(robustml/([a-z-]+)):\\S+\\s+(sha256:[0-9a-f]{64})\\s",
            Pattern.MULTILINE);

    final LocalControlPlane plane;
    /** The registry the images were pushed to, and each image by name (operator, model-server, ...). */
    String registry;
    final Map<String, String> repositories = new HashMap<>();
    final Map<String, String> digests = new HashMap<>();

    private RealCluster(LocalControlPlane plane) {
        this.plane = plane;
    }

    /** Brings the real node up (idempotent), builds and pushes the images, and reads their digests. */
    static RealCluster up(LocalControlPlane plane) {
        RealCluster cluster = new RealCluster(plane);
        long t0 = System.nanoTime();
        cluster.run(Duration.ofMinutes(20), "scripts/cluster", "node", "up");
        long t1 = System.nanoTime();
        // build ends with the listing of what it pushed (scripts/images list)
        String built = cluster.run(Duration.ofMinutes(30), "scripts/images", "build");
        long t2 = System.nanoTime();
        Matcher m = LISTED.matcher(built);
        while (m.find()) {
            cluster.registry = m.group(1);
            cluster.repositories.put(m.group(3), m.group(2));
            cluster.digests.put(m.group(3), m.group(4));
        }
        if (!cluster.digests.keySet().containsAll(IMAGES)) {
            throw new IllegalStateException("scripts/images build listed " + cluster.digests.keySet() + ", not all of " + IMAGES);
        }
        System.out.printf("[real] node up %.1f s, images built and pushed %.1f s: %s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                cluster.digests);
        return cluster;
    }

    /** A namespace whose pods must meet Pod Security "restricted". */
    static String restrictedNamespace(KubernetesClient client, String prefix) {
        String ns = prefix + "-" + Long.toHexString(System.nanoTime() & 0xfffffL);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).create();
        return ns;
    }

    /**
     * {@code helm upgrade --install} of the chart: the operator image by digest from the local registry, on
     * the real node, reconciling only {@code watched} (other tests run their own operators elsewhere).
     */
    void installChart(String release, String namespace, List<String> watched) {
        StringBuilder values = new StringBuilder();
        values.append("images:\n  registry: \"").append(registry).append("\"\n");
        for (String image : IMAGES) {
            values.append("  ").append(camel(image)).append(": {repository: \"").append(repositories.get(image))
                    .append("\", digest: \"").append(digests.get(image)).append("\"}\n");
        }
        values.append("nodeSelector: {").append(NODE_LABEL).append(": \"true\"}\n");
        values.append("tolerations: [{key: ").append(NODE_LABEL).append(", operator: Exists, effect: NoSchedule}]\n");
        values.append("watchNamespaces: [").append(String.join(", ", watched)).append("]\n");
        Path file = plane.repoRoot().resolve("e2e-tests/target/real-cluster/" + release + "-values.yaml");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // --take-ownership: the tests before this one applied the CRDs without Helm (docs/install.md, "CRDs").
        run(Duration.ofMinutes(6), "helm", "upgrade", "--install", release, "helm-chart", "--namespace", namespace,
                "--values", file.toString(), "--take-ownership", "--wait", "--timeout", "5m");
    }

    void uninstallChart(String release, String namespace) {
        run(Duration.ofMinutes(3), "helm", "uninstall", release, "--namespace", namespace, "--wait");
    }

    /**
     * The model store of {@code ns}: the reference models (TorchScript, and the robust one's ONNX export), a copy of the robust one with one byte changed
     * ({@code fashion-tampered.pt}), the tabular reference models and their rows ({@code datasets/breast-cancer.npz}, {@code .csv},
     * {@code .parquet}), the colour reference models and their CIFAR-10 sample ({@code datasets/cifar10-sample.npz}), and the
     * Fashion-MNIST test set (idx files, and as a NumPy archive), in a folder of the node mounted through a
     * PersistentVolume and the claim {@code model-store}.
     */
    void modelStore(KubernetesClient client, String ns) throws IOException {
        Path root = plane.kubeconfig().getParent().resolve("model-store").resolve(ns);
        Path models = Files.createDirectories(root.resolve("models"));
        Path data = Files.createDirectories(root.resolve("datasets/fashion-mnist"));
        for (String model : List.of("fashion-robust.pt", "fashion-standard.pt", "fashion-robust.onnx", "tabular-robust.pt",
                "tabular-standard.pt", "cifar-robust.pt", "cifar-standard.pt", "cifar-robust-normalized.pt",
                "cifar-robust-nhwc.pt")) {
            Files.copy(plane.repoRoot().resolve("model-server/models").resolve(model), models.resolve(model),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // The same test set as a NumPy archive (NHWC uint8, as Keras keeps it), written by NumPy itself.
        Path npz = Files.createDirectories(root.resolve("datasets/fashion-mnist-npz")).resolve("t10k.npz");
        Command.run(plane.repoRoot(), Duration.ofMinutes(2), Map.of(), Path.of(System.getProperty("user.home"),
                ".cache/robustml/venv/bin/python").toString(), "-c", """
                import gzip, sys, numpy as np
                x = np.frombuffer(gzip.open(sys.argv[1] + '/t10k-images-idx3-ubyte.gz').read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
                y = np.frombuffer(gzip.open(sys.argv[1] + '/t10k-labels-idx1-ubyte.gz').read(), np.uint8, offset=8)
                np.savez_compressed(sys.argv[2], x_test=x, y_test=y)
                """, Scenario.DATASET.toString(), npz.toString()).orFail("writing " + npz);
        // The tabular reference models' data (test rows and the attacker's pool), and the same rows as a CSV file with
        // named columns and labels by name, as a user's export would hold them.
        // The colour reference models' CIFAR-10 sample (uint8 NCHW), and the tabular rows as npz and as pyarrow's Parquet.
        for (String dataset : List.of("cifar10-sample.npz", "breast-cancer.npz", "breast-cancer.parquet")) {
            Files.copy(plane.repoRoot().resolve("model-server/models").resolve(dataset), root.resolve("datasets").resolve(dataset),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Command.run(plane.repoRoot(), Duration.ofMinutes(2), Map.of(), Path.of(System.getProperty("user.home"),
                ".cache/robustml/venv/bin/python").toString(), "-c", """
                import csv, json, sys, numpy as np
                d = np.load(sys.argv[1])
                names = [c['name'] for c in json.load(open(sys.argv[2]))['columns']]
                with open(sys.argv[3], 'w', newline='') as f:
                    w = csv.writer(f)
                    w.writerow(['diagnosis'] + names)
                    for x, y in [(d['x'], d['y']), (d['x_train'], d['y_train'])]:
                        for row, label in zip(x, y):
                            w.writerow([['malignant', 'benign'][label]] + [repr(float(v)) for v in row])
                """, plane.repoRoot().resolve("model-server/models/breast-cancer.npz").toString(),
                plane.repoRoot().resolve("model-server/models/tabular-metrics.json").toString(),
                root.resolve("datasets/breast-cancer.csv").toString()).orFail("writing breast-cancer.csv");
        byte[] tampered = Files.readAllBytes(models.resolve("fashion-robust.pt"));
        tampered[tampered.length / 2] ^= 1;
        Files.write(models.resolve("fashion-tampered.pt"), tampered);
        for (String file : List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(Scenario.DATASET.resolve(file), data.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        readableByAll(root);
        String manifest = Files.readString(plane.repoRoot().resolve("examples/local-cluster/model-store.yaml"))
                .replace("HOST_PATH", root.toString()).replace("NAMESPACE", ns);
        client.load(new java.io.ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).serverSideApply();
    }

    /** The pods run as uid 1000: every folder on the way to the store must be searchable, its files readable. */
    private static void readableByAll(Path root) throws IOException {
        for (Path p = root; p != null && !p.equals(p.getRoot()); p = p.getParent()) {
            var perms = new java.util.HashSet<>(Files.getPosixFilePermissions(p));
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
            Files.setPosixFilePermissions(p, perms);
        }
        try (var files = Files.walk(root)) {
            for (Path p : files.toList()) {
                var perms = new java.util.HashSet<>(Files.getPosixFilePermissions(p));
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
                if (Files.isDirectory(p)) {
                    perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                }
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    /** SIGKILL to a container's main process through containerd, as an OOM kill or a crash would end it. */
    void kill(Pod pod, String container) {
        String id = pod.getStatus().getContainerStatuses().stream().filter(c -> container.equals(c.getName()))
                .findFirst().orElseThrow().getContainerID();
        run(Duration.ofSeconds(30), "ctr", "--address", clusterEnv(plane).get("CONTAINERD_ADDRESS"), "--namespace", "k8s.io",
                "task", "kill", "--signal", "SIGKILL", id.substring(id.indexOf("://") + 3));
    }

    /** Runs a command in the repository with the cluster's kubeconfig and tools on PATH; returns its output. */
    String run(Duration timeout, String... command) {
        String[] cmd = command.clone();
        // The cluster's tools (kubectl, helm) first: ProcessBuilder looks programs up on this JVM's PATH, not on
        // the one given to the child.
        Path tool = plane.kubectl().getParent().resolve(cmd[0]);
        if (!cmd[0].contains("/") && Files.isExecutable(tool)) {
            cmd[0] = tool.toString();
        }
        Map<String, String> env = Map.of("KUBECONFIG", plane.kubeconfig().toString(),
                "PATH", plane.kubectl().getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return Command.run(plane.repoRoot(), timeout, env, cmd).orFail(String.join(" ", cmd));
    }

    /** What {@code scripts/cluster env} exports (KUBECONFIG, ROBUSTML_REGISTRY, CONTAINERD_ADDRESS, ...). */
    static Map<String, String> clusterEnv(LocalControlPlane plane) {
        Map<String, String> exports = new HashMap<>();
        Command.run(plane.repoRoot(), Duration.ofMinutes(1), "scripts/cluster", "env").orFail("scripts/cluster env")
                .lines().filter(l -> l.startsWith("export ") && l.contains("="))
                .forEach(l -> exports.put(l.substring(7, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return exports;
    }

    private static String camel(String image) {
        StringBuilder b = new StringBuilder();
        for (String part : image.split("-")) {
            b.append(b.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return b.toString();
    }
}
