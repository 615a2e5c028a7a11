package io.robustml.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one pod's containers as local processes, like a kubelet: starts each container's program, probes
 * its readiness, restarts it per the pod's restartPolicy (with kubelet's back-off), keeps the termination
 * message, and tells {@code report} whenever something a pod status shows has changed.
 */
final class PodRunner implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final String podName;
    final String restartPolicy;
    final PodPlan plan;
    final Instant started = Instant.now();
    private final Map<String, ContainerState> states = new ConcurrentHashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Consumer<PodRunner> report;
    private volatile boolean stopping;

    PodRunner(String podName, String restartPolicy, PodPlan plan, Consumer<PodRunner> report) {
        this.podName = podName;
        this.restartPolicy = restartPolicy == null ? "Always" : restartPolicy;
        this.plan = plan;
        this.report = report;
        for (var c : plan.containers()) {
            states.put(c.name(), ContainerState.waiting(c.name(), c.image(), "ContainerCreating"));
        }
    }

    /** The containers' states in the order of the pod spec. */
    List<ContainerState> states() {
        return plan.containers().stream().map(c -> states.get(c.name())).toList();
    }

    boolean ready() {
        return states().stream().allMatch(ContainerState::ready);
    }

    void start() {
        for (var c : plan.containers()) {
            Thread t = new Thread(() -> supervise(c), "pod-" + podName + "-" + c.name());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void supervise(PodPlan.ContainerPlan c) {
        int restarts = 0;
        ContainerState last = null;
        while (!stopping) {
            Process p;
            Instant startedAt = Instant.now();
            try {
                Files.createDirectories(c.dir().resolve("home"));
                Files.createDirectories(c.dir().resolve("tmp"));
                Files.deleteIfExists(c.terminationMessageFile());
                ProcessBuilder pb = new ProcessBuilder(c.command()).directory(c.dir().toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(c.dir().resolve("log").toFile()));
                pb.environment().clear();
                pb.environment().putAll(c.env());
                p = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start container " + c.name() + " of pod " + podName, e);
            }
            processes.put(c.name(), p);
            log("started " + c.name() + " (pid " + p.pid() + ", log " + c.dir().resolve("log") + ")");
            set(c.name(), new ContainerState(c.name(), c.image(), ContainerState.Phase.RUNNING, c.readiness() == null,
                    restarts, null, null, null, startedAt, null, last));
            probeUntilExit(c, p);
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (stopping) {
                return;
            }
            String message = terminationMessage(c, code);
            log(c.name() + " exited with " + code + (message.isEmpty() ? "" : ": " + firstLine(message)));
            ContainerState ended = new ContainerState(c.name(), c.image(), ContainerState.Phase.TERMINATED, false, restarts,
                    code == 0 ? "Completed" : "Error", message, code, startedAt, Instant.now(), last);
            boolean restart = "Always".equals(restartPolicy) || ("OnFailure".equals(restartPolicy) && code != 0);
            if (!restart) {
                set(c.name(), ended);
                return;
            }
            // kubelet: the last run becomes lastState; the container waits 10 s, doubling, at most 5 min.
            long backoff = Math.min(300, 10L << Math.min(restarts, 5));
            last = ended;
            restarts++;
            set(c.name(), new ContainerState(c.name(), c.image(), ContainerState.Phase.WAITING, false, restarts,
                    "CrashLoopBackOff", "back-off " + backoff + "s restarting failed container", null, null, null, last));
            sleep(backoff * 1000);
        }
    }

    private void probeUntilExit(PodPlan.ContainerPlan c, Process p) {
        var probe = c.readiness();
        Instant firstProbe = Instant.now().plusSeconds(probe == null ? 0 : probe.initialDelaySeconds());
        while (p.isAlive() && !stopping) {
            if (probe != null && !Instant.now().isBefore(firstProbe)) {
                boolean ok = probe(probe);
                ContainerState s = states.get(c.name());
                if (s.ready() != ok && s.phase() == ContainerState.Phase.RUNNING) {
                    log(c.name() + (ok ? " ready" : " not ready"));
                    set(c.name(), new ContainerState(s.name(), s.image(), s.phase(), ok, s.restarts(), null, null, null,
                            s.startedAt(), null, s.lastTerminated()));
                }
            }
            // Promptly rather than every periodSeconds: the scenarios time what follows readiness.
            try {
                p.waitFor(Math.min(1000, probe == null ? 1000 : probe.periodSeconds() * 1000L), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean probe(PodPlan.Readiness probe) {
        if (probe.path() == null) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", probe.port()), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        try {
            int status = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probe.port() + probe.path()))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 400;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The file the program wrote, or with FallbackToLogsOnError the end of its log when it failed (kubelet's rule). */
    private static String terminationMessage(PodPlan.ContainerPlan c, int code) {
        try {
            if (Files.isRegularFile(c.terminationMessageFile())) {
                String m = Files.readString(c.terminationMessageFile(), StandardCharsets.UTF_8);
                if (!m.isBlank()) {
                    return m.length() > 4096 ? m.substring(0, 4096) : m;
                }
            }
            if (code != 0 && "FallbackToLogsOnError".equals(c.terminationMessagePolicy())) {
                List<String> lines = Files.readAllLines(c.dir().resolve("log"), StandardCharsets.UTF_8);
                String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
                return tail.length() > 2048 ? tail.substring(tail.length() - 2048) : tail;
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    private void set(String container, ContainerState state) {
        states.put(container, state);
        report.accept(this);
    }

    /** Whether every container has ended for good (a Job's pod that finished). */
    boolean finished() {
        return !"Always".equals(restartPolicy) && states().stream().allMatch(s -> s.phase() == ContainerState.Phase.TERMINATED);
    }

    /** Stops every process: SIGTERM, then SIGKILL after the grace period (also their children). */
    @Override
    public void close() {
        stopping = true;
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        threads.forEach(Thread::interrupt);
        // Like kubelet, a pod's volumes go with it (an emptyDir /tmp holds ~430 MB of extracted libtorch);
        // the containers' logs stay for diagnosis.
        plan.volumeDirs().values().forEach(VolumeWriter::deleteTree);
    }

    boolean anyAlive() {
        return processes.values().stream().anyMatch(Process::isAlive);
    }

    private void log(String message) {
        System.out.println("[harness] " + podName + ": " + message);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + " …";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
