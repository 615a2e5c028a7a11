package io.robustml.e2e.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What an image runs, on this machine: the module's packaged jar, and what the image itself provides
 * that a plain {@code java -jar} does not (its listen-port setting, the file its program writes the
 * termination message to by default).
 *
 * @param jar             the jar relative to the repository root
 * @param listenPortEnv   the environment variable that sets the program's HTTP port (null: it listens on nothing)
 * @param defaultPort     the port the program listens on when that variable is unset (its application.properties)
 * @param terminationEnv  the variable naming its termination-message file (null: it writes none)
 * @param jvmOptions      options the image's entrypoint passes to the JVM
 * @param managementPortEnv the variable that sets a second (management) HTTP port, e.g. the sidecar's
 *                        metrics port (null: none)
 * @param managementDefaultPort that port when the variable is unset
 */
public record Program(String jar, String listenPortEnv, Integer defaultPort, String terminationEnv, List<String> jvmOptions,
        String managementPortEnv, Integer managementDefaultPort) {

    Program(String jar, String listenPortEnv, Integer defaultPort, String terminationEnv, List<String> jvmOptions) {
        this(jar, listenPortEnv, defaultPort, terminationEnv, jvmOptions, null, null);
    }

    /** The images the operator names (ServingImages.tagged("robustml", "test")), by repository without the tag. */
    static final Map<String, Program> CATALOG = Map.of(
            "robustml/model-server", new Program("model-server/target/quarkus-app/quarkus-run.jar",
                    "QUARKUS_HTTP_PORT", 8081, "ROBUSTML_MODEL_TERMINATION_LOG", List.of("-Dai.djl.offline=true")),
            "robustml/sidecar-detector", new Program("sidecar-detector/target/quarkus-app/quarkus-run.jar",
                    "QUARKUS_HTTP_PORT", 8080, null, List.of(), "QUARKUS_MANAGEMENT_PORT", 9090),
            "robustml/adversarial-tester", new Program("adversarial-tester/target/adversarial-tester.jar",
                    null, null, null, List.of("-Dai.djl.offline=true")));

    /** The program behind an image reference such as {@code robustml/model-server:0.1.0}. */
    static Program forImage(String image) {
        String repository = image;
        int at = repository.indexOf('@');
        if (at >= 0) {
            repository = repository.substring(0, at);
        }
        int colon = repository.lastIndexOf(':');
        if (colon > repository.lastIndexOf('/')) {
            repository = repository.substring(0, colon);
        }
        Program program = CATALOG.get(repository);
        if (program == null) {
            throw new UnrunnablePodException("no local program for image " + image + " (known: " + CATALOG.keySet() + ")");
        }
        return program;
    }

    Path jarIn(Path repoRoot) {
        return repoRoot.resolve(jar);
    }
}
