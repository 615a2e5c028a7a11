package io.robustml.e2e.harness;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one pod runs on this machine, as a pure function of the pod spec and the objects it references:
 * each container becomes a {@code java -jar} of its image's module, with the pod's environment (values,
 * ConfigMap/Secret/field references), its volumes as folders under the pod's folder (mount paths in the
 * environment and arguments rewritten to them), and every port of the pod's network namespace moved to a
 * free loopback port, consistently across its containers (so the sidecar's upstream is this pod's model
 * server). What the programs could not run as written throws {@link UnrunnablePodException}.
 */
public record PodPlan(Map<Integer, Integer> ports, Map<String, Path> volumeDirs, List<ContainerPlan> containers,
        List<String> warnings) {

    /** One container: the command line, its environment, where its termination message goes, its readiness check. */
    public record ContainerPlan(String name, String image, List<String> command, Map<String, String> env, Path dir,
            Path terminationMessageFile, String terminationMessagePolicy, Readiness readiness, List<Integer> listenPorts) {
    }

    /** An HTTP GET (or TCP connect when path is null) on a loopback port, every periodSeconds. */
    public record Readiness(String path, int port, int periodSeconds, int initialDelaySeconds) {
    }

    /** A ConfigMap, Secret or key a container needs does not exist (yet): kubelet would keep it waiting. */
    public static class MissingReferenceException extends RuntimeException {
        public MissingReferenceException(String message) {
            super(message);
        }
    }

    /** What the plan reads besides the pod: the objects in its namespace and the machine's settings. */
    public record Inputs(Function<String, ConfigMap> configMaps, Function<String, Secret> secrets, Path podDir,
            IntSupplier freePort, List<Path> nodePaths, Path repoRoot, Path hostsFile, Optional<Path> kubeconfig) {
    }

    private static final Pattern LOOPBACK_PORT = Pattern.compile("\\b(127\\.0\\.0\\.1|localhost):(\\d{1,5})\\b");
    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

    public static PodPlan of(Pod pod, Inputs in) {
        var spec = pod.getSpec();
        if (spec.getInitContainers() != null && !spec.getInitContainers().isEmpty()) {
            throw new UnrunnablePodException("init containers are not supported by the harness");
        }
        List<String> warnings = new ArrayList<>();
        Map<String, Path> volumeDirs = new LinkedHashMap<>();
        for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
            checkVolume(v);
            volumeDirs.put(v.getName(), in.podDir().resolve("volumes").resolve(v.getName()));
        }

        // First pass: every container's environment with references resolved, and every port the pod uses.
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        TreeMap<Integer, Integer> ports = new TreeMap<>();
        for (Container c : spec.getContainers()) {
            if (c.getCommand() != null && !c.getCommand().isEmpty()) {
                throw new UnrunnablePodException("container " + c.getName() + " overrides the image's command "
                        + c.getCommand() + "; the harness runs the image's own program");
            }
            Program program = Program.forImage(c.getImage());
            Map<String, String> env = environment(pod, c, in);
            envs.put(c.getName(), env);
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                ports.putIfAbsent(p.getContainerPort(), 0);
            }
            listenPort(program, env).ifPresent(p -> ports.putIfAbsent(p, 0));
            managementPort(program, env).ifPresent(p -> ports.putIfAbsent(p, 0));
            for (String value : env.values()) {
                Matcher m = LOOPBACK_PORT.matcher(value);
                while (m.find()) {
                    ports.putIfAbsent(Integer.parseInt(m.group(2)), 0);
                }
            }
        }
        ports.replaceAll((podPort, unused) -> in.freePort().getAsInt());

        List<ContainerPlan> containers = new ArrayList<>();
        for (Container c : spec.getContainers()) {
            Program program = Program.forImage(c.getImage());
            Path dir = in.podDir().resolve("containers").resolve(c.getName());
            Map<String, String> mounts = mounts(c, volumeDirs);
            String terminationPath = c.getTerminationMessagePath() == null ? "/dev/termination-log" : c.getTerminationMessagePath();
            Path terminationFile = dir.resolve("termination-log");
            mounts.put(terminationPath, terminationFile.toString());

            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            Optional.ofNullable(System.getenv("JAVA_HOME")).ifPresent(j -> env.put("JAVA_HOME", j));
            env.put("LANG", "C.UTF-8");
            env.put("HOME", dir.resolve("home").toString());
            env.put("HOSTNAME", pod.getMetadata().getName());
            // The API token reaches the containers kubelet would give it to: all of them when the pod
            // automounts one, else only those mounting a projected serviceAccountToken (the sidecar).
            in.kubeconfig().filter(k -> !Boolean.FALSE.equals(spec.getAutomountServiceAccountToken())
                    || mountsProjectedToken(c, spec.getVolumes())).ifPresent(k -> env.put("KUBECONFIG", k.toString()));
            for (var e : envs.get(c.getName()).entrySet()) {
                env.put(e.getKey(), rewrite(e.getValue(), mounts, ports, in.nodePaths()));
            }
            List<Integer> listen = new ArrayList<>();
            if (program.listenPortEnv() != null) {
                int podPort = listenPort(program, envs.get(c.getName())).orElseThrow();
                env.put(program.listenPortEnv(), Integer.toString(ports.get(podPort)));
                // Quarkus binds all interfaces by default; on a shared machine keep every pod on loopback.
                env.putIfAbsent("QUARKUS_HTTP_HOST", "127.0.0.1");
                listen.add(podPort);
            }
            if (program.managementPortEnv() != null) {
                int podPort = managementPort(program, envs.get(c.getName())).orElseThrow();
                env.put(program.managementPortEnv(), Integer.toString(ports.get(podPort)));
                env.putIfAbsent("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
                listen.add(podPort);
            }
            if (program.terminationEnv() != null) {
                env.putIfAbsent(program.terminationEnv(), terminationFile.toString());
            }
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (!listen.contains(p.getContainerPort())) {
                    warnings.add("container " + c.getName() + " declares port " + p.getContainerPort()
                            + (p.getName() == null ? "" : " (" + p.getName() + ")") + " but its program listens only on "
                            + listen);
                }
            }

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(program.jvmOptions());
            String tmp = mounts.getOrDefault("/tmp", dir.resolve("tmp").toString());
            command.add("-Djava.io.tmpdir=" + tmp);
            // Service names resolve like cluster DNS: to the harness's per-Service loopback addresses.
            command.add("-Djdk.net.hosts.file=" + in.hostsFile());
            command.add("-Dsun.net.inetaddr.ttl=5");
            command.add("-Dsun.net.inetaddr.negative.ttl=0");
            command.add("-jar");
            command.add(program.jarIn(in.repoRoot()).toString());
            Map<String, String> original = envs.get(c.getName());
            for (String arg : c.getArgs() == null ? List.<String>of() : c.getArgs()) {
                command.add(rewrite(expand(arg, original), mounts, ports, in.nodePaths()));
            }
            containers.add(new ContainerPlan(c.getName(), c.getImage(), command, env, dir, terminationFile,
                    c.getTerminationMessagePolicy(), readiness(c, ports), listen));
        }
        return new PodPlan(Map.copyOf(ports), volumeDirs, containers, warnings);
    }

    /** The port the program will listen on inside the pod: its port variable if set, else its default. */
    static Optional<Integer> managementPort(Program program, Map<String, String> env) {
        if (program.managementPortEnv() == null) {
            return Optional.empty();
        }
        String value = env.get(program.managementPortEnv());
        try {
            return Optional.of(value == null ? program.managementDefaultPort() : Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new UnrunnablePodException(program.managementPortEnv() + "=" + value + " is not a port");
        }
    }

    static Optional<Integer> listenPort(Program program, Map<String, String> env) {
        if (program.listenPortEnv() == null) {
            return Optional.empty();
        }
        String value = env.get(program.listenPortEnv());
        if (value == null) {
            return Optional.of(program.defaultPort());
        }
        try {
            return Optional.of(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new UnrunnablePodException(program.listenPortEnv() + "=" + value + " is not a port");
        }
    }

    /** Whether the pod has a projected volume with a serviceAccountToken source (e.g. the sidecar's own token). */
    public static boolean projectsServiceAccountToken(Pod pod) {
        return pod.getSpec().getVolumes() != null && pod.getSpec().getVolumes().stream().anyMatch(PodPlan::projectsToken);
    }

    static boolean mountsProjectedToken(Container c, List<Volume> volumes) {
        if (c.getVolumeMounts() == null || volumes == null) {
            return false;
        }
        return c.getVolumeMounts().stream().anyMatch(m -> volumes.stream()
                .anyMatch(v -> v.getName().equals(m.getName()) && projectsToken(v)));
    }

    private static boolean projectsToken(Volume v) {
        return v.getProjected() != null && v.getProjected().getSources() != null
                && v.getProjected().getSources().stream().anyMatch(s -> s.getServiceAccountToken() != null);
    }

    private static void checkVolume(Volume v) {
        if (v.getEmptyDir() != null || v.getConfigMap() != null || v.getSecret() != null) {
            return;
        }
        if (v.getProjected() != null) {
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getConfigMap() == null && p.getSecret() == null && p.getServiceAccountToken() == null
                        && p.getDownwardAPI() == null) {
                    throw new UnrunnablePodException("projected volume " + v.getName()
                            + ": only configMap, secret, serviceAccountToken and downwardAPI sources are supported by the harness");
                }
            }
            return;
        }
        String kind = v.getPersistentVolumeClaim() != null ? "persistentVolumeClaim"
                : v.getHostPath() != null ? "hostPath" : v.getDownwardAPI() != null ? "downwardAPI" : "this kind of";
        throw new UnrunnablePodException("volume " + v.getName() + ": " + kind
                + " volumes are not supported by the harness (use file:// models and datasets)");
    }

    /** Mount path → folder on this machine, for one container (subPath honoured). */
    private static Map<String, String> mounts(Container c, Map<String, Path> volumeDirs) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
            Path dir = volumeDirs.get(m.getName());
            if (dir == null) {
                throw new UnrunnablePodException("container " + c.getName() + " mounts volume " + m.getName()
                        + ", which the pod does not define");
            }
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                dir = dir.resolve(m.getSubPath());
            }
            mounts.put(stripSlash(m.getMountPath()), dir.toString());
        }
        return mounts;
    }

    /**
     * A value as the program must see it here: a path (or file:// URI) under a mount path points into the
     * mount's folder, unless it names a file of this machine that pods may read directly (nodePaths, like a
     * node's files for file:// models); a loopback address:port of the pod points to its moved port.
     */
    static String rewrite(String value, Map<String, String> mounts, Map<Integer, Integer> ports, List<Path> nodePaths) {
        String result = value;
        String prefix = value.startsWith("file://") ? "file://" : "";
        String path = value.substring(prefix.length());
        if (path.startsWith("/") && nodePaths.stream().noneMatch(n -> Path.of(path).normalize().startsWith(n))) {
            String best = mounts.keySet().stream()
                    .filter(m -> path.equals(m) || path.startsWith(m.endsWith("/") ? m : m + "/") || m.equals("/"))
                    .max(Comparator.comparingInt(String::length)).orElse(null);
            if (best != null) {
                result = prefix + mounts.get(best) + path.substring(best.equals("/") ? 0 : best.length());
            }
        }
        Matcher m = LOOPBACK_PORT.matcher(result);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Integer moved = ports.get(Integer.parseInt(m.group(2)));
            m.appendReplacement(out, Matcher.quoteReplacement("127.0.0.1:" + (moved == null ? m.group(2) : moved)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String stripSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The container's environment as kubelet builds it: envFrom, then env, with $(VAR) references expanded. */
    static Map<String, String> environment(Pod pod, Container c, Inputs in) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            if (from.getConfigMapRef() != null) {
                ConfigMap cm = in.configMaps().apply(from.getConfigMapRef().getName());
                if (cm == null) {
                    if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                        continue;
                    }
                    throw new MissingReferenceException("ConfigMap " + from.getConfigMapRef().getName());
                }
                if (cm.getData() != null) {
                    cm.getData().forEach((k, v) -> env.put(prefix + k, v));
                }
            }
            if (from.getSecretRef() != null) {
                Secret s = in.secrets().apply(from.getSecretRef().getName());
                if (s == null) {
                    if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                        continue;
                    }
                    throw new MissingReferenceException("Secret " + from.getSecretRef().getName());
                }
                secretData(s).forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
            }
        }
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
            if (e.getValueFrom() == null) {
                env.put(e.getName(), expand(e.getValue() == null ? "" : e.getValue(), env));
                continue;
            }
            var from = e.getValueFrom();
            String value;
            if (from.getConfigMapKeyRef() != null) {
                var ref = from.getConfigMapKeyRef();
                ConfigMap cm = in.configMaps().apply(ref.getName());
                value = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
                if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
                    throw new MissingReferenceException("key " + ref.getKey() + " of ConfigMap " + ref.getName());
                }
            } else if (from.getSecretKeyRef() != null) {
                var ref = from.getSecretKeyRef();
                Secret s = in.secrets().apply(ref.getName());
                byte[] bytes = s == null ? null : secretData(s).get(ref.getKey());
                if (bytes == null && !Boolean.TRUE.equals(ref.getOptional())) {
                    throw new MissingReferenceException("key " + ref.getKey() + " of Secret " + ref.getName());
                }
                value = bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
            } else if (from.getFieldRef() != null) {
                value = field(pod, from.getFieldRef().getFieldPath());
            } else if (from.getResourceFieldRef() != null) {
                value = resourceField(c, from.getResourceFieldRef().getResource());
            } else {
                throw new UnrunnablePodException("env " + e.getName() + ": unsupported valueFrom " + from);
            }
            if (value != null) {
                env.put(e.getName(), value);
            }
        }
        return env;
    }

    static String expand(String value, Map<String, String> env) {
        Matcher m = VAR_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString().replace("$$", "$");
    }

    /** The downward API's fieldRef paths. */
    static String field(Pod pod, String path) {
        var meta = pod.getMetadata();
        Matcher keyed = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]").matcher(path);
        if (keyed.matches()) {
            Map<String, String> map = "labels".equals(keyed.group(1)) ? meta.getLabels() : meta.getAnnotations();
            return map == null ? "" : map.getOrDefault(keyed.group(2), "");
        }
        var status = pod.getStatus();
        return switch (path) {
            case "metadata.name" -> meta.getName();
            case "metadata.namespace" -> meta.getNamespace();
            case "metadata.uid" -> meta.getUid();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
            case "status.podIP" -> status == null ? "" : status.getPodIP();
            case "status.hostIP" -> status == null ? "" : status.getHostIP();
            default -> throw new UnrunnablePodException("fieldRef " + path + " is not supported by the harness");
        };
    }

    private static String resourceField(Container c, String resource) {
        var r = c.getResources();
        var quantities = resource.startsWith("limits.") ? (r == null ? null : r.getLimits())
                : (r == null ? null : r.getRequests());
        var q = quantities == null ? null : quantities.get(resource.substring(resource.indexOf('.') + 1));
        if (q == null) {
            throw new UnrunnablePodException("resourceFieldRef " + resource + " of container " + c.getName()
                    + " has no value in the spec (kubelet would use the node's allocatable)");
        }
        return q.getAmount();
    }

    private static Readiness readiness(Container c, Map<Integer, Integer> ports) {
        Probe p = c.getReadinessProbe();
        if (p == null) {
            return null;
        }
        int period = p.getPeriodSeconds() == null ? 10 : p.getPeriodSeconds();
        int delay = p.getInitialDelaySeconds() == null ? 0 : p.getInitialDelaySeconds();
        if (p.getHttpGet() != null) {
            return new Readiness(p.getHttpGet().getPath() == null ? "/" : p.getHttpGet().getPath(),
                    hostPort(c, p.getHttpGet().getPort(), ports), period, delay);
        }
        if (p.getTcpSocket() != null) {
            return new Readiness(null, hostPort(c, p.getTcpSocket().getPort(), ports), period, delay);
        }
        throw new UnrunnablePodException("container " + c.getName() + ": only httpGet and tcpSocket readiness probes are supported");
    }

    /** A probe's or Service's port (number or the container port's name) as the loopback port it moved to. */
    static int hostPort(Container c, IntOrString port, Map<Integer, Integer> ports) {
        int podPort;
        if (port.getIntVal() != null) {
            podPort = port.getIntVal();
        } else {
            podPort = (c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()).stream()
                    .filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
                    .orElseThrow(() -> new UnrunnablePodException("container " + c.getName() + " has no port named "
                            + port.getStrVal()));
        }
        Integer host = ports.get(podPort);
        if (host == null) {
            throw new UnrunnablePodException("container " + c.getName() + ": port " + podPort + " is not a port of the pod");
        }
        return host;
    }

    static Map<String, byte[]> secretData(Secret s) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        return data;
    }

    /**
     * The files of a ConfigMap, Secret or projected volume (relative path → bytes), or null while a
     * non-optional source does not exist (kubelet keeps the pod waiting).
     */
    public static Map<String, byte[]> volumeFiles(Volume v, Pod pod, Function<String, ConfigMap> configMaps,
            Function<String, Secret> secrets, java.util.function.Supplier<String> token) {
        Map<String, byte[]> files = new TreeMap<>();
        if (v.getConfigMap() != null) {
            return addConfigMap(files, configMaps.apply(v.getConfigMap().getName()), v.getConfigMap().getItems(),
                    v.getConfigMap().getOptional(), v.getConfigMap().getName());
        }
        if (v.getSecret() != null) {
            return addSecret(files, secrets.apply(v.getSecret().getSecretName()), v.getSecret().getItems(),
                    v.getSecret().getOptional(), v.getSecret().getSecretName());
        }
        if (v.getProjected() != null) {
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getConfigMap() != null) {
                    addConfigMap(files, configMaps.apply(p.getConfigMap().getName()), p.getConfigMap().getItems(),
                            p.getConfigMap().getOptional(), p.getConfigMap().getName());
                } else if (p.getSecret() != null) {
                    addSecret(files, secrets.apply(p.getSecret().getName()), p.getSecret().getItems(),
                            p.getSecret().getOptional(), p.getSecret().getName());
                } else if (p.getServiceAccountToken() != null) {
                    files.put(p.getServiceAccountToken().getPath(), token.get().getBytes(StandardCharsets.UTF_8));
                } else if (p.getDownwardAPI() != null) {
                    for (var item : p.getDownwardAPI().getItems()) {
                        if (item.getFieldRef() == null) {
                            throw new UnrunnablePodException("downwardAPI item " + item.getPath() + ": only fieldRef is supported");
                        }
                        files.put(item.getPath(), field(pod, item.getFieldRef().getFieldPath()).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return files;
        }
        return null;
    }

    private static Map<String, byte[]> addConfigMap(Map<String, byte[]> files, ConfigMap cm, List<KeyToPath> items,
            Boolean optional, String name) {
        if (cm == null) {
            if (Boolean.TRUE.equals(optional)) {
                return files;
            }
            throw new MissingReferenceException("ConfigMap " + name);
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, val) -> data.put(k, Base64.getDecoder().decode(val)));
        }
        return project(files, data, items, name);
    }

    private static Map<String, byte[]> addSecret(Map<String, byte[]> files, Secret s, List<KeyToPath> items,
            Boolean optional, String name) {
        if (s == null) {
            if (Boolean.TRUE.equals(optional)) {
                return files;
            }
            throw new MissingReferenceException("Secret " + name);
        }
        return project(files, secretData(s), items, name);
    }

    private static Map<String, byte[]> project(Map<String, byte[]> files, Map<String, byte[]> data, List<KeyToPath> items,
            String source) {
        if (items == null || items.isEmpty()) {
            files.putAll(data);
            return files;
        }
        for (KeyToPath item : items) {
            byte[] bytes = data.get(item.getKey());
            if (bytes == null) {
                throw new MissingReferenceException("key " + item.getKey() + " of " + source);
            }
            files.put(item.getPath(), bytes);
        }
        return files;
    }
}
