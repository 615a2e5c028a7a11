package io.robustml.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command blocks of docs/runbooks.md marked {@code <!-- containment:NAME -->}, run verbatim with the
 * real kubectl of the local control plane (model {@code M} and namespace {@code ns} substituted), so the
 * runbook cannot rot: a command that no longer works fails the scenario that runs it.
 */
final class RunbookCommands {
    static final String RUNBOOK = "docs/runbooks.md";

    /** What one block did; {@code returned} is when its last command had returned (kubectl exited). */
    record Result(String name, int exit, String stdout, String stderr, Instant started, Instant returned) {
        Duration took() {
            return Duration.between(started, returned);
        }
    }

    private final Path repoRoot;
    private final Path kubectl;
    private final Path kubeconfig;
    private final String model;
    private final String namespace;

    RunbookCommands(Path repoRoot, Path kubectl, Path kubeconfig, String model, String namespace) {
        this.repoRoot = repoRoot;
        this.kubectl = kubectl;
        this.kubeconfig = kubeconfig;
        this.model = model;
        this.namespace = namespace;
    }

    /** The block after {@code <!-- containment:NAME -->}, dedented, exactly as the runbook prints it. */
    static String block(String runbook, String name) {
        String marker = "<!-- containment:" + name + " -->";
        int at = runbook.indexOf(marker);
        if (at < 0 || runbook.indexOf(marker, at + 1) >= 0) {
            throw new IllegalArgumentException(RUNBOOK + " must have exactly one " + marker);
        }
        List<String> lines = runbook.substring(at + marker.length()).lines().skip(1).toList();
        if (lines.isEmpty() || !lines.get(0).strip().equals("```bash")) {
            throw new IllegalArgumentException(marker + " must be followed by a ```bash block on the next line");
        }
        int indent = lines.get(0).indexOf('`');
        List<String> body = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.strip().equals("```")) {
                return String.join("\n", body);
            }
            body.add(line.length() >= indent && line.substring(0, indent).isBlank() ? line.substring(indent) : line.strip());
        }
        throw new IllegalArgumentException(marker + ": the ```bash block is not closed");
    }

    /** The block with the runbook's placeholders {@code M} (the model) and {@code ns} (its namespace) filled in. */
    static String substitute(String block, String model, String namespace) {
        String withModel = Pattern.compile("\\bM\\b").matcher(block).replaceAll(Matcher.quoteReplacement(model));
        return Pattern.compile("\\bns\\b").matcher(withModel).replaceAll(Matcher.quoteReplacement(namespace));
    }

    String command(String name) {
        try {
            return substitute(block(Files.readString(repoRoot.resolve(RUNBOOK)), name), model, namespace);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the block with bash, kubectl first on the PATH and KUBECONFIG set; fails unless it exits 0. */
    Result run(String name) {
        Result r = runAllowingFailure(name);
        if (r.exit() != 0) {
            throw new AssertionError("runbook block " + name + " exited " + r.exit() + ":\n" + command(name) + "\nstdout: "
                    + r.stdout() + "\nstderr: " + r.stderr());
        }
        return r;
    }

    Result runAllowingFailure(String name) {
        String script = command(name);
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(repoRoot.toFile());
        pb.environment().put("PATH", kubectl.getParent() + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        try {
            Path out = Files.createTempFile("runbook-" + name, ".out");
            Path err = Files.createTempFile("runbook-" + name, ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Instant started = Instant.now();
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("runbook block " + name + " did not finish in 60 s");
            }
            Instant returned = Instant.now();
            Result r = new Result(name, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip(),
                    Files.readString(err, StandardCharsets.UTF_8).strip(), started, returned);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
