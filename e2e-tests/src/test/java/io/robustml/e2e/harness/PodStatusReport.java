package io.robustml.e2e.harness;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod status the harness writes for what its processes do, as a strategic-merge patch body (pure):
 * phase (Running while the pod runs; a Job's pod Succeeded or Failed when all its containers ended),
 * pod IP, the Ready/ContainersReady conditions and each container's state with exit code and
 * termination message, as kubelet reports them.
 */
final class PodStatusReport {
    private PodStatusReport() {
    }

    /** @param readyChanged when the pod's readiness last flipped (the conditions' lastTransitionTime) */
    static Map<String, Object> of(String restartPolicy, String podIP, Instant started, List<ContainerState> containers,
            Instant readyChanged) {
        Instant now = readyChanged;
        boolean allReady = !containers.isEmpty() && containers.stream().allMatch(ContainerState::ready);
        boolean terminalPolicy = !"Always".equals(restartPolicy) && restartPolicy != null;
        boolean notStarted = containers.stream().allMatch(c -> c.phase() == ContainerState.Phase.WAITING && c.restarts() == 0);
        String phase = notStarted ? "Pending" : "Running";
        boolean allDone = containers.stream().allMatch(c -> c.phase() == ContainerState.Phase.TERMINATED);
        if (terminalPolicy && allDone) {
            boolean ok = containers.stream().allMatch(c -> c.exitCode() != null && c.exitCode() == 0);
            phase = ok ? "Succeeded" : "Failed";
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", phase);
        if (podIP != null) {
            status.put("podIP", podIP);
            status.put("podIPs", List.of(Map.of("ip", podIP)));
        }
        if (started != null) {
            status.put("startTime", time(started));
        }
        String why = allReady ? null : "ContainersNotReady";
        status.put("conditions", List.of(condition("Initialized", true, null, now),
                condition("ContainersReady", allReady, why, now), condition("Ready", allReady, why, now)));
        List<Map<String, Object>> list = new ArrayList<>();
        for (ContainerState c : containers) {
            list.add(container(c));
        }
        status.put("containerStatuses", list);
        return Map.of("status", status);
    }

    private static Map<String, Object> container(ContainerState c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("image", c.image());
        m.put("imageID", "");
        m.put("ready", c.ready());
        m.put("started", c.phase() == ContainerState.Phase.RUNNING);
        m.put("restartCount", c.restarts());
        m.put("state", state(c));
        m.put("lastState", c.lastTerminated() == null ? Map.of() : state(c.lastTerminated()));
        return m;
    }

    private static Map<String, Object> state(ContainerState c) {
        return switch (c.phase()) {
            case WAITING -> Map.of("waiting", nonNull(Map.of("reason", c.reason()), "message", c.message()));
            case RUNNING -> Map.of("running", Map.of("startedAt", time(c.startedAt())));
            case TERMINATED -> {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("exitCode", c.exitCode());
                t.put("reason", c.reason());
                if (c.message() != null && !c.message().isEmpty()) {
                    t.put("message", c.message());
                }
                t.put("startedAt", time(c.startedAt()));
                t.put("finishedAt", time(c.finishedAt()));
                yield Map.of("terminated", t);
            }
        };
    }

    private static Map<String, Object> nonNull(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        if (value != null) {
            m.put(key, value);
        }
        return m;
    }

    private static Map<String, Object> condition(String type, boolean status, String reason, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("status", status ? "True" : "False");
        if (reason != null) {
            m.put("reason", reason);
        }
        m.put("lastTransitionTime", time(now));
        return m;
    }

    static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
