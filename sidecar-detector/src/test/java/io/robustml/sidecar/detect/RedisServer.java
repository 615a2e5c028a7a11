package io.robustml.sidecar.detect;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real redis-server (Debian's {@code redis-server} package) on a free loopback port, without
 * persistence, for tests of the shared fingerprint table.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static RedisServer start(Path log) {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return start(log, port); // the probe socket closed first: redis-server binds the port itself
    }

    /** On a given port: a restart where the previous one stood. */
    public static RedisServer start(Path log, int port) {
        Path binary = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("redis-server is not installed: the shared-store tests need Debian's "
                    + "redis-server package (apt-get install redis-server)");
        }
        try {
            Process p = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", log.toAbsolutePath().getParent().toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            RedisServer server = new RedisServer(p, port);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("redis-server exited; see " + log);
                }
                try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) { // RESP by hand: PING, +PONG
                    socket.setSoTimeout(500);
                    socket.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] reply = socket.getInputStream().readNBytes(7);
                    if ("+PONG\r\n".equals(new String(reply, java.nio.charset.StandardCharsets.US_ASCII))) {
                        return server;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(50);
            }
            p.destroyForcibly();
            throw new IllegalStateException("redis-server not ready in 20 s; see " + log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The process, for tests that pause (SIGSTOP) or kill it. */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
