package io.robustml.e2e.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * One Service port, as kube-proxy would serve it: a TCP listener on the Service's own loopback address
 * and port (what its DNS name resolves to in the pods' hosts file) that sends each connection to a Ready
 * endpoint picked by {@code backend} (from the EndpointSlices the real controller manager keeps), or
 * closes it when there is none.
 */
final class ServiceProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Supplier<Optional<Integer>> backend;
    private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "service-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> open = new ArrayList<>();
    private final String name;

    ServiceProxy(String name, InetAddress address, int port, Supplier<Optional<Integer>> backend) throws IOException {
        this.name = name;
        this.backend = backend;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IOException("cannot listen on " + address.getHostAddress() + ":" + port + " for Service " + name
                    + " (ports below 1024 need root or CAP_NET_BIND_SERVICE)", e);
        }
        pumps.submit(this::accept);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pumps.submit(() -> forward(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void forward(Socket client) {
        Optional<Integer> target = backend.get();
        if (target.isEmpty()) {
            close(client);
            return;
        }
        try {
            Socket upstream = new Socket("127.0.0.1", target.get());
            synchronized (open) {
                open.add(client);
                open.add(upstream);
            }
            pumps.submit(() -> pump(upstream, client));
            pump(client, upstream);
        } catch (IOException e) {
            close(client);
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        synchronized (open) {
            open.forEach(ServiceProxy::close);
        }
        pumps.shutdownNow();
    }

    @Override
    public String toString() {
        return name + " " + server.getLocalSocketAddress();
    }
}
