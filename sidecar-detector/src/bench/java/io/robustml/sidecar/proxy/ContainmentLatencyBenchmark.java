package io.robustml.sidecar.proxy;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Containment latency: from writing a new detector config to the first request the sidecar enforces it
 * on, for the two ways a config reaches it — the mounted file (kubelet-style {@code ..data} swap, polled
 * every {@code robustml.detector-config.poll-ms}, default 1000 ms; the kubelet's own refresh delay of up
 * to a minute comes on top in a cluster and is not measured here) and the ConfigMap watch on the real
 * local API server. Each change alternately adds and removes our address in {@code blockedClients};
 * requests with fresh images go out back to back (a few ms apart) until the answer flips.
 *
 * <p>Run (uses the shared local control plane):
 * {@code flock /tmp/robustml-cluster.lock ./mvnw -pl sidecar-detector -am -Pbench verify -Dtest=ContainmentLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@QuarkusTest
@TestProfile(ContainmentLatencyBenchmark.FileAndWatch.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = DetectorConfigMapOnRealApiServer.class, restrictToAnnotatedClass = true)
class ContainmentLatencyBenchmark {
    static final ConfigFiles FILES = new ConfigFiles(Path.of("target/containment-bench"));
    static final String OPEN = DetectorConfigMapOnRealApiServer.INITIAL;
    static final String BLOCKED = OPEN.replace("\"action\"", "\"blockedClients\":[{\"cidr\":\"127.0.0.0/8\",\"reason\":\"bench\"}],\"action\"");
    private static final int CHANGES = Integer.getInteger("bench.changes", 10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static class FileAndWatch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ConfigFiles.clean(Path.of("target/containment-bench"));
            FILES.write(OPEN, null);
            return Map.of("robustml.detector-config", FILES.detectorJson().toString(),
                    "robustml.api-keys-file", FILES.clientsJson().toString(), "robustml.rate-limit.requests-per-minute", "0");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    private int image = 0;

    private boolean blocked() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Images.request(image++ % 10_000))).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().contains("client blocked");
    }

    private double[] measure(Consumer<String> write) throws Exception {
        double[] ms = new double[CHANGES];
        for (int c = 0; c < CHANGES; c++) {
            boolean block = c % 2 == 0;
            Thread.sleep(300 + (long) (Math.random() * 700)); // changes at random phases of the poll interval
            long start = System.nanoTime();
            write.accept(block ? BLOCKED : OPEN);
            while (blocked() != block) {
                if (System.nanoTime() - start > 120_000_000_000L) {
                    throw new IllegalStateException("change " + c + " not enforced in 120 s");
                }
            }
            ms[c] = (System.nanoTime() - start) / 1e6;
        }
        return ms;
    }

    @Test
    void measure() throws Exception {
        List<String> rows = new ArrayList<>();
        double[] file = measure(content -> FILES.write(content, null));
        rows.add(row("file (poll 1000 ms, ..data swap)", file));
        double[] watch = measure(DetectorConfigMapOnRealApiServer::update);
        rows.add(row("ConfigMap watch (real kube-apiserver)", watch));
        System.out.printf(Locale.ROOT, "%ncontainment latency: write of a config adding/removing blockedClients -> first request "
                + "enforced, %d changes each, %d CPUs%n", CHANGES, Runtime.getRuntime().availableProcessors());
        System.out.println("| source | min ms | median ms | max ms | all ms |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static String row(String source, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        StringBuilder all = new StringBuilder();
        for (double v : ms) {
            all.append(all.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", v));
        }
        return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %s |", source, s[0], median, s[s.length - 1], all);
    }
}
