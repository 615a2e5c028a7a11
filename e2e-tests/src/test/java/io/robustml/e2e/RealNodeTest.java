package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real node of the local cluster ({@code scripts/cluster node up}: kubelet, containerd and runc, a CNI
 * bridge, kube-proxy, CoreDNS, a local registry). A busybox image pushed to the local registry runs there as
 * a real container, under the restricted Pod Security Standard, and its pods get the network a production
 * pod gets (pod IPs, ClusterIPs, cluster DNS, the API server) and nothing outside the machine. The node is
 * left running for later tests of the same JVM ({@code scripts/cluster down} removes it with the cluster).
 * Needs root and the packages of {@code scripts/install}.
 */
@WithControlPlane(podSecurity = "restricted")
class RealNodeTest {
    static final String NODE = RealCluster.NODE;
    static final String NODE_LABEL = RealCluster.NODE_LABEL;
    static final String NODE_IP = "10.88.0.1";
    /** A cold build of kubelet, kube-proxy, CoreDNS and the registry takes 5–10 min on two cores. */
    static final Duration NODE_UP_TIMEOUT = Duration.ofMinutes(30);
    static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** The busybox image in the local registry, e.g. 127.0.0.1:15000/robustml/busybox:1.35.0-4-deb12u1-b1. */
    static String image;
    static Path containerdSocket;

    @BeforeAll
    static void nodeUpAndImagePushed(LocalControlPlane plane) throws Exception {
        Instant start = Instant.now();
        Command up = Command.run(plane.repoRoot(), NODE_UP_TIMEOUT, "scripts/cluster", "node", "up");
        System.out.print(up.output());
        assertThat(up.exitCode()).as("scripts/cluster node up").isZero();
        System.out.printf("[real-node] scripts/cluster node up: %.1f s%n", seconds(start));

        var env = RealCluster.clusterEnv(plane);
        containerdSocket = Path.of(env.get("CONTAINERD_ADDRESS"));
        String registry = env.get("ROBUSTML_REGISTRY");

        Command push = Command.run(plane.repoRoot(), Duration.ofMinutes(2),
                "controlplane/node/busybox-image.sh", registry);
        assertThat(push.exitCode()).as(push.output()).isZero();
        image = push.output().lines().reduce((a, b) -> b).orElseThrow().trim();
        assertThat(image).startsWith(registry + "/robustml/busybox:");
    }

    @Test
    void aPodPulledFromTheLocalRegistryHasTheClusterNetworkAndNothingOutside(KubernetesClient client, TestNamespace ns,
            LocalControlPlane plane) throws Exception {
        Kubectl kubectl = new Kubectl(plane, ns.name());
        awaitDefaultServiceAccount(client, ns.name());
        Instant created = Instant.now();
        client.resource(pod("web", "echo serving on 8080; exec httpd -f -v -p 8080 -h /www")).inNamespace(ns.name()).create();
        client.resource(pod("client", "echo client ready; exec sleep 3600")).inNamespace(ns.name()).create();
        Pod web = awaitRunning(client, ns.name(), "web");
        System.out.printf("[real-node] pod create -> Running (image pulled from the local registry): %.1f s%n", seconds(created));
        Pod clientPod = awaitRunning(client, ns.name(), "client");
        Service svc = client.resource(service("web")).inNamespace(ns.name()).create();
        String clusterIp = svc.getSpec().getClusterIP();

        // A real container on the real node: containerd's id, the restricted profile's user and read-only root.
        assertThat(web.getSpec().getNodeName()).isEqualTo(NODE);
        assertThat(web.getStatus().getContainerStatuses().get(0).getContainerID()).startsWith("containerd://");
        assertThat(client.nodes().withName(NODE).get().getStatus().getNodeInfo().getContainerRuntimeVersion())
                .startsWith("containerd://");
        assertThat(web.getStatus().getContainerStatuses().get(0).getImageID()).contains("robustml/busybox@sha256:");
        assertThat(kubectl.exec("web", "id", "-u").output().trim()).isEqualTo("65534");
        Command write = kubectl.exec("web", "touch", "/www/x");
        assertThat(write.exitCode()).isNotZero();
        assertThat(write.output()).contains("Read-only file system");

        // kubectl logs and exec go through the API server to the kubelet on real-node-1.
        assertThat(kubectl.run("logs", "client").output()).contains("client ready");
        assertThat(kubectl.run("logs", "web").output()).contains("serving on 8080");

        String podIp = web.getStatus().getPodIP();
        assertThat(podIp).startsWith("10.88.");
        assertThat(clientPod.getStatus().getPodIP()).startsWith("10.88.").isNotEqualTo(podIp);
        assertThat(kubectl.get("client", "http://" + podIp + ":8080/")).as("pod -> pod").contains("robustml real node");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(kubectl.get("client", "http://" + clusterIp + "/")).as("pod -> ClusterIP")
                        .contains("robustml real node"));

        String name = "web." + ns.name() + ".svc.cluster.local";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(kubectl.exec("client", "nslookup", name).output()).as("cluster DNS").contains(clusterIp));
        assertThat(kubectl.get("client", "http://" + name + "/")).as("pod -> Service by name").contains("robustml real node");
        Command outside = kubectl.exec("client", "nslookup", "example.com");
        assertThat(outside.exitCode()).as(outside.output()).isNotZero();
        assertThat(outside.output()).as("no upstream DNS: names outside cluster.local are refused")
                .contains("can't find example.com: REFUSED").doesNotContain("Name:");
        // Pods may reach the host only for DNS and the API: a listener on the bridge's address gets no connection.
        try (ServerSocket host = new ServerSocket(0, 1, InetAddress.getByName(NODE_IP))) {
            host.setSoTimeout(100);
            kubectl.exec("client", "sh", "-c", "timeout 3 nc " + NODE_IP + " " + host.getLocalPort() + " </dev/null");
            assertThatThrownBy(host::accept).as("pod -> host port").isInstanceOf(SocketTimeoutException.class);
        }

        // In-cluster clients (the operator, the tester) use KUBERNETES_SERVICE_HOST and kubernetes.default.svc.
        // (busybox's TLS shares no cipher suite with Go's defaults: plain HTTP to the TLS port gets Go's own
        // answer, which proves the path; the certificate is checked from the host below.)
        assertThat(kubectl.exec("client", "sh", "-c", "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT").output().trim())
                .isEqualTo("10.96.0.1:443");
        assertThat(kubectl.exec("client", "sh", "-c",
                "printf 'GET /version HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc kubernetes.default.svc 443").output())
                .as("pod -> API server").contains("Client sent an HTTP request to an HTTPS server");
        assertThat(apiServerVersionVerifiedWithTheClusterRootCa(client, ns.name()))
                .as("the serving certificate is valid for 10.96.0.1 under kube-root-ca.crt")
                .contains(LocalControlPlane.K8S_VERSION);
    }

    @Test
    void theKubeletRestartsAContainerKilledWithSigkill(KubernetesClient client, TestNamespace ns, LocalControlPlane plane)
            throws Exception {
        Kubectl kubectl = new Kubectl(plane, ns.name());
        awaitDefaultServiceAccount(client, ns.name());
        client.resource(pod("victim", "echo started; exec httpd -f -p 8080 -h /www")).inNamespace(ns.name()).create();
        Pod victim = awaitRunning(client, ns.name(), "victim");
        String containerId = victim.getStatus().getContainerStatuses().get(0).getContainerID().replace("containerd://", "");

        Command kill = Command.run(plane.repoRoot(), Duration.ofSeconds(30), "kill", "-9", hostPid(plane, containerId));
        assertThat(kill.exitCode()).as(kill.output()).isZero();
        Instant killed = Instant.now();

        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ContainerStatus s = client.pods().inNamespace(ns.name()).withName("victim").get().getStatus()
                    .getContainerStatuses().get(0);
            assertThat(s.getRestartCount()).isEqualTo(1);
            assertThat(s.getState().getRunning()).isNotNull();
            assertThat(s.getLastState().getTerminated().getExitCode()).isEqualTo(137); // 128 + SIGKILL
        });
        System.out.printf("[real-node] kill -9 -> container Running again: %.1f s%n", seconds(killed));
        assertThat(kubectl.run("logs", "victim", "--previous").output()).contains("started");
        assertThat(kubectl.get("victim", "http://127.0.0.1:8080/")).contains("robustml real node");
    }

    /** The container's main process as the host sees it, from containerd's task list. */
    private static String hostPid(LocalControlPlane plane, String containerId) throws Exception {
        Command tasks = Command.run(plane.repoRoot(), Duration.ofSeconds(30),
                "ctr", "--address", containerdSocket.toString(), "--namespace", "k8s.io", "tasks", "ls");
        assertThat(tasks.exitCode()).as(tasks.output()).isZero();
        return tasks.output().lines().map(l -> l.trim().split("\\s+")).filter(f -> f[0].equals(containerId))
                .map(f -> f[1]).findFirst().orElseThrow(() -> new AssertionError("no task " + containerId + " in\n" + tasks.output()));
    }

    /**
     * GET https://10.96.0.1/version from the host (the ClusterIP through kube-proxy and the forwarder on the
     * bridge), trusting only the namespace's kube-root-ca.crt and checking the host name as a pod's client does.
     */
    private static String apiServerVersionVerifiedWithTheClusterRootCa(KubernetesClient client, String namespace)
            throws Exception {
        String pem = client.configMaps().inNamespace(namespace).withName("kube-root-ca.crt").get().getData().get("ca.crt");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (var cert : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            trust.setCertificateEntry("root-" + i++, cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        // HTTP/1.1: the JDK's HTTP/2 client and the API server's end in a GOAWAY here; TLS is what this checks.
        HttpClient http = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://10.96.0.1/version"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Pods are refused until the controller manager gave the fresh namespace its ServiceAccount. */
    private static void awaitDefaultServiceAccount(KubernetesClient client, String namespace) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.serviceAccounts().inNamespace(namespace).withName("default").get() != null);
    }

    private static Pod awaitRunning(KubernetesClient client, String namespace, String name) {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(
                () -> client.pods().inNamespace(namespace).withName(name).get(),
                p -> p != null && "Running".equals(p.getStatus().getPhase()));
    }

    /** A pod for the real node that the restricted Pod Security Standard admits; the image is pulled every time. */
    private static Pod pod(String name, String script) {
        return YAML.unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels: {app: %s}
                spec:
                  nodeSelector: {%s: "true"}
                  tolerations: [{key: %s, operator: Equal, value: "true", effect: NoSchedule}]
                  terminationGracePeriodSeconds: 1
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 65534
                    runAsGroup: 65534
                    seccompProfile: {type: RuntimeDefault}
                  containers:
                  - name: main
                    image: %s
                    imagePullPolicy: Always
                    command: ["sh", "-c", %s]
                    ports: [{containerPort: 8080}]
                    securityContext:
                      allowPrivilegeEscalation: false
                      readOnlyRootFilesystem: true
                      capabilities: {drop: [ALL]}
                """.formatted(name, name, NODE_LABEL, NODE_LABEL, image, quoted(script)), Pod.class);
    }

    private static Service service(String name) {
        return YAML.unmarshal("""
                apiVersion: v1
                kind: Service
                metadata: {name: %s}
                spec:
                  selector: {app: %s}
                  ports: [{port: 80, targetPort: 8080}]
                """.formatted(name, name), Service.class);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    /** kubectl (the control plane's own build) against the local cluster, in one namespace. */
    private record Kubectl(LocalControlPlane plane, String namespace) {
        Command run(String... args) {
            List<String> command = new ArrayList<>(List.of(plane.kubectl().toString(), "--kubeconfig",
                    plane.kubeconfig().toString(), "-n", namespace));
            command.addAll(List.of(args));
            return Command.run(plane.repoRoot(), Duration.ofMinutes(1), command.toArray(String[]::new));
        }

        Command exec(String pod, String... args) {
            List<String> command = new ArrayList<>(List.of("exec", pod, "--"));
            command.addAll(List.of(args));
            return run(command.toArray(String[]::new));
        }

        /** The body busybox wget gets inside the pod, "" when it fails (its -T option crashes: timeout instead). */
        String get(String pod, String url) {
            Command c = exec(pod, "timeout", "5", "wget", "-qO-", url);
            return c.exitCode() == 0 ? c.output() : "";
        }
    }
}
