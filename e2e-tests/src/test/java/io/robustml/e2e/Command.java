package io.robustml.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A finished command: exit code and its stdout and stderr together. The output goes through a file, never
 * the inherited stdout (a child writing there would corrupt surefire's stream); its stdin is empty.
 */
record Command(int exitCode, String output) {
    static Command run(Path dir, Duration timeout, String... command) {
        return run(dir, timeout, Map.of(), command);
    }

    /** Runs {@code command} in {@code dir} with {@code env} added to this JVM's environment. */
    static Command run(Path dir, Duration timeout, Map<String, String> env, String... command) {
        try {
            Path log = Files.createTempFile("e2e-command-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout + ":\n"
                            + tail(Files.readString(log)));
                }
                return new Command(p.exitValue(), Files.readString(log));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** This command's output; an {@link IllegalStateException} naming {@code what} and the output's tail if it failed. */
    String orFail(String what) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " exited " + exitCode + ":\n" + tail(output));
        }
        return output;
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : "…" + s.substring(s.length() - 6000);
    }
}
