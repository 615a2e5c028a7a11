package io.robustml.sidecar.bench;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.sidecar.proxy.RealModelServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Latency the sidecar adds: the same batch-1 inference request sent directly to the real model
 * server and through the sidecar, in the same run, with the same concurrent clients.
 *
 * <p>Run: {@code ./mvnw -pl sidecar-detector -am -Pbench verify -Dtest=ProxyOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@QuarkusTest
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
@io.quarkus.test.junit.TestProfile(ProxyOverheadBenchmark.NoRateLimit.class)
class ProxyOverheadBenchmark {
    /** The benchmark measures the proxy path, not the limiter's refusals. */
    public static class NoRateLimit implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("robustml.rate-limit.requests-per-minute", "0");
        }
    }

    private static final int CLIENTS = Integer.getInteger("bench.clients", 4);
    private static final int REQUESTS = Integer.getInteger("bench.requests", 4000);

    @TestHTTPResource("/v2/models/fashion/infer")
    URL sidecar;

    @ConfigProperty(name = "robustml.upstream")
    String upstream;

    @Test
    void measure() throws Exception {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 784; i++) {
            data.append(i == 0 ? "" : ",").append((i % 255) / 255f);
        }
        String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}";
        URI direct = URI.create(upstream + "/v2/models/fashion/infer");
        URI proxied = sidecar.toURI();
        run(direct, body, REQUESTS / 4);
        run(proxied, body, REQUESTS / 4); // warm-up both paths
        double[] d = run(direct, body, REQUESTS);
        double[] p = run(proxied, body, REQUESTS);
        System.out.printf("%nsidecar overhead benchmark: batch 1, %d clients, %d requests per path, %d CPUs%n", CLIENTS,
                REQUESTS, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-16s %10s %10s%n", "path", "p50 ms", "p99 ms");
        System.out.printf("%-16s %10.3f %10.3f%n", "direct", pct(d, 50), pct(d, 99));
        System.out.printf("%-16s %10.3f %10.3f%n", "through sidecar", pct(p, 50), pct(p, 99));
        System.out.printf("%-16s %10.3f %10.3f   (ratio p50 %.2f)%n", "added", pct(p, 50) - pct(d, 50),
                pct(p, 99) - pct(d, 99), pct(p, 50) / pct(d, 50));
    }

    private static double[] run(URI uri, String body, int requests) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<double[]>> futures = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            futures.add(pool.submit(() -> {
                double[] ms = new double[requests / CLIENTS];
                HttpRequest req = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                        .header("X-API-Key", "bench-" + Thread.currentThread().getId())
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                for (int i = 0; i < ms.length; i++) {
                    long t = System.nanoTime();
                    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                    ms[i] = (System.nanoTime() - t) / 1e6;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                    }
                }
                return ms;
            }));
        }
        List<double[]> parts = new ArrayList<>();
        for (Future<double[]> f : futures) {
            parts.add(f.get());
        }
        pool.shutdown();
        return parts.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    private static double pct(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
