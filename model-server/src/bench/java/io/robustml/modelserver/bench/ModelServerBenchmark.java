package io.robustml.modelserver.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.runtime.ModelRuntime;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
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
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Server throughput and latency for batch 1 and batch 64 over loopback with a fixed number of
 * concurrent clients, with JSON tensors and with the binary tensor data extension (binary input and
 * binary outputs, as tritonclient sends by default) in the same run, next to the raw DJL predict time
 * of the same batch (the ratio is the server's overhead: HTTP, tensor decoding and encoding, queueing).
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
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 64);
        System.out.printf("%nmodel-server benchmark: %d concurrent clients, %d CPUs, device %s%n", CLIENTS,
                Runtime.getRuntime().availableProcessors(), runtime.model().device());
        System.out.printf("%-6s %-7s %9s %10s %10s %10s %12s %12s %10s%n", "batch", "tensors", "req KB", "req/s", "p50 ms",
                "p99 ms", "images/s", "DJL p50 ms", "p50 ratio");
        for (int batch : new int[] {1, 64}) {
            int requests = batch == 1 ? 4000 : 400;
            float[] data = new float[batch * 784];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(test.images()[i], 0, data, i * 784, 784);
            }
            double djlP50 = percentile(rawDjl(data, batch, requests / 4), 50);
            byte[] json = request(data, batch).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            BinaryTensors.Encoded binary = BinaryTensors.encode(new InferenceRequest(null,
                    Map.of(BinaryTensors.BINARY_DATA_OUTPUT, true),
                    List.of(BinaryTensors.fp32("input", new long[] {batch, 1, 28, 28}, data)), null), JSON);
            sameAnswer(json, binary, batch);
            for (boolean isBinary : new boolean[] {false, true}) {
                byte[] body = isBinary ? binary.body() : json;
                String headerLength = isBinary ? String.valueOf(binary.headerLength()) : null;
                run(body, headerLength, requests / 4); // warm-up
                long t0 = System.nanoTime();
                double[] latencies = run(body, headerLength, requests);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double p50 = percentile(latencies, 50);
                System.out.printf("%-6d %-7s %9.1f %10.0f %10.3f %10.3f %12.0f %12.3f %10.1f%n", batch,
                        isBinary ? "binary" : "JSON", body.length / 1024.0, requests / seconds, p50,
                        percentile(latencies, 99), requests * batch / seconds, djlP50, p50 / djlP50);
            }
        }
    }

    /** Before timing anything: both formats must give the same logits for the same batch. */
    private void sameAnswer(byte[] json, BinaryTensors.Encoded binary, int batch) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<byte[]> j = client.send(HttpRequest.newBuilder(infer.toURI())
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> b = client.send(HttpRequest.newBuilder(infer.toURI())
                .header(BinaryTensors.HEADER, String.valueOf(binary.headerLength()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(binary.body())).build(), HttpResponse.BodyHandlers.ofByteArray());
        float[] fromJson = TensorCodec.toFloats(BinaryTensors.decodeResponse(j.body(), null, JSON).outputs().get(0), 1 << 20);
        float[] fromBinary = TensorCodec.toFloats(BinaryTensors.decodeResponse(b.body(),
                b.headers().firstValue(BinaryTensors.HEADER).orElseThrow(), JSON).outputs().get(0), 1 << 20);
        if (fromJson.length != batch * 10 || !Arrays.equals(fromJson, fromBinary)) {
            throw new IllegalStateException("batch " + batch + ": JSON and binary answers differ");
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

    private double[] run(byte[] body, String headerLength, int requests) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = infer.toURI();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<double[]>> results = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int share = requests / CLIENTS;
            results.add(pool.submit(() -> {
                double[] ms = new double[share];
                HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                        .header("content-type", headerLength == null ? "application/json" : "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (headerLength != null) {
                    builder.header(BinaryTensors.HEADER, headerLength);
                }
                HttpRequest req = builder.build();
                for (int i = 0; i < share; i++) {
                    long t = System.nanoTime();
                    HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    ms[i] = (System.nanoTime() - t) / 1e6;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
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
