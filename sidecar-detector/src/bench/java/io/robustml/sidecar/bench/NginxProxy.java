package io.robustml.sidecar.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's nginx as a plain reverse-proxy hop in front of the model server: the C baseline for what one
 * proxy hop costs (one worker, keep-alive to the upstream, bodies in memory, no access log). Started as
 * a child process on a free loopback port and stopped by its pid on close.
 */
final class NginxProxy implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/sbin/nginx");

    private final Process process;
    private final int port;

    private NginxProxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** nginx forwarding 127.0.0.1:(free port) to {@code upstream} (http://host:port). */
    static NginxProxy start(String upstream, Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: scripts/install packages installs Debian's nginx");
        }
        URI up = URI.create(upstream);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.createDirectories(dir);
        String d = dir.toAbsolutePath().toString();
        String conf = """
                worker_processes 1;
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  client_max_body_size 32m;
                  client_body_buffer_size 1m;
                  proxy_buffer_size 64k;
                  proxy_buffers 16 64k;
                  upstream model { server %2$s:%3$d; keepalive 16; }
                  server {
                    listen 127.0.0.1:%4$d;
                    location / {
                      proxy_pass http://model;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                  }
                }
                """.formatted(d, up.getHost(), up.getPort(), port);
        Path file = dir.resolve("nginx.conf").toAbsolutePath();
        Files.writeString(file, conf);
        Process p = new ProcessBuilder(BINARY.toString(), "-p", d, "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new NginxProxy(p, port);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("nginx did not listen on 127.0.0.1:" + port + " within 10 s");
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
