package io.robustml.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own rule checker and unit-test runner, built by {@code scripts/cluster build} from the
 * module {@code github.com/prometheus/prometheus/cmd/promtool} into the cluster's binaries folder.
 */
public final class Promtool {
    private Promtool() {
    }

    /** {@code promtool check rules <file>}: every expression parses, every rule is well formed. */
    public static String checkRules(Path rules) {
        return run("check", "rules", rules.toString());
    }

    /** {@code promtool test rules <file>}: the alerts fire (and only those) as the test file expects. */
    public static String testRules(Path tests) {
        return run("test", "rules", tests.toString());
    }

    private static String run(String... args) {
        Path promtool = LocalControlPlane.binDir().resolve("promtool");
        if (!Files.isExecutable(promtool)) {
            throw new IllegalStateException(promtool + " is missing: scripts/cluster build (scripts/install runs it)");
        }
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
