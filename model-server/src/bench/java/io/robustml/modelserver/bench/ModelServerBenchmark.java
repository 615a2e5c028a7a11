package io.robustml.modelserver.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.runtime.ModelRuntime;
import io.robustml.oip.data.IdxDataset;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Server throughput and latency for batch 1 and batch 64 over loopback with a fixed number of
 * concurrent clients, next to the raw DJL predict time of the same batch measured in the same run
 * (the ratio is the server's overhead: HTTP, JSON decoding and encoding, queueing).
 *
 * <p>Run: {@code ./mvnw -pl model-server -am -Pbench verify -Dtest=ModelServerBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@QuarkusTest
class ModelServerBenchmark {
    private static final int CLIENTS = Integer.getInteger("bench.clients", 4);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @Inject
    ModelRuntime runtime;

    @Test
    void measure() throws Exception {
        while (!runtime.state().isReady()) {
            Thread.sleep(100);
        }
        IdxDataset test = IdxDataset.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 64);
        System.out.printf("%nmodel-server benchmark: %d concurrent clients, %d CPUs, device %s%n", CLIENTS,
                Runtime.getRuntime().availableProcessors(), runtime.model().device());
        System.out.printf("%-6s %10s %10s %10s %12s %12s %10s%n", "batch", "req/s", "p50 ms", "p99 ms",
                "images/s", "DJL p50 ms", "p50 ratio");
        for (int batch : new int[] {1, 64}) {
            int requests = batch == 1 ? 4000 : 400;
            float[] data = new float[batch * 784];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(test.images()[i], 0, data, i * 784, 784);
            }
            double djlP50 = percentile(rawDjl(data, batch, requests / 4), 50);
            String body = request(data, batch);
            run(body, requests / 4); // warm-up
            long t0 = System.nanoTime();
            double[] latencies = run(body, requests);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double p50 = percentile(latencies, 50);
            System.out.printf("%-6d %10.0f %10.3f %10.3f %12.0f %12.3f %10.1f%n", batch, requests / seconds, p50,
                    percentile(latencies, 99), requests * batch / seconds, djlP50, p50 / djlP50);
        }
    }

    private double[] rawDjl(float[] data, int batch, int n) throws Exception {
        long[] shape = {batch, 1, 28, 28};
        for (int i = 0; i < 50; i++) {
            runtime.model().predict(data, shape);
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            runtime.model().predict(data, shape);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }

    private double[] run(String body, int requests) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = infer.toURI();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<double[]>> results = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int share = requests / CLIENTS;
            results.add(pool.submit(() -> {
                double[] ms = new double[share];
                HttpRequest req = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                for (int i = 0; i < share; i++) {
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
        List<Double> all = new ArrayList<>();
        for (Future<double[]> f : results) {
            for (double v : f.get()) {
                all.add(v);
            }
        }
        pool.shutdown();
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String request(float[] data, int batch) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(batch).add(1).add(28).add(28);
        ArrayNode values = input.putArray("data");
        for (float v : data) {
            values.add(v);
        }
        return req.toString();
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
