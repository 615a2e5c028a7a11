package io.robustml.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Argo CD's own Lua VM ({@code github.com/argoproj/argo-cd/v3/util/lua}) running a RobustModel health
 * check as Argo CD runs a user's customization (standard libraries closed): the {@code argocd-health}
 * program that {@code scripts/cluster build} builds from helm-chart/argocd/vm.
 */
public final class ArgoCdVm {
    /** What Argo CD made of one object: its health status and message, or the error it reported. */
    public record Health(Path file, String status, String message, String error) {
    }

    private ArgoCdVm() {
    }

    public static List<Health> health(Path script, List<Path> objects) {
        Path program = LocalControlPlane.binDir().resolve("argocd-health");
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException(program + " is missing: scripts/cluster build (scripts/install runs it)");
        }
        List<String> command = new ArrayList<>(List.of(program.toString(), script.toString()));
        objects.forEach(o -> command.add(o.toString()));
        try {
            Process p = new ProcessBuilder(command).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + out + err);
            }
            List<Health> results = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    JsonNode r = json.readTree(line);
                    results.add(new Health(Path.of(r.path("file").asText()), r.path("status").asText(null),
                            r.path("message").asText(null), r.path("error").asText(null)));
                }
            }
            return results;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
