package io.robustml.controlplane;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Waits for a server a test started as a child process: its readiness URL answers 200, or it failed. */
public final class Readiness {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Readiness() {
    }

    /**
     * Polls {@code url} every 200 ms until it answers 200; a process that exits or is not ready within
     * {@code timeout} is an error naming {@code what} and its {@code log} (the process is then killed).
     */
    public static void await(Process process, String url, Duration timeout, String what, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(what + " exited; see " + log);
                }
                try {
                    if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        throw new IllegalStateException(what + " not ready in " + timeout.toSeconds() + " s; see " + log);
    }
}
