package io.robustml.e2e;

import io.robustml.e2e.harness.DataPlaneHarness.RunningPod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talking to each serving pod's sidecar directly (its data port 8080 and metrics port 9090 as the harness
 * moved them), not round robin through the Service: containment must hold in every one of them.
 */
final class Sidecars {
    static final int DATA_PORT = 8080;
    static final int METRICS_PORT = 9090;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern CONFIG_INFO = Pattern.compile("^robustml_sidecar_config_info\\{[^}]*sha256=\"([0-9a-f]*)\"",
            Pattern.MULTILINE);

    private Sidecars() {
    }

    /** An OIP v2 JSON request for one 28x28 image. */
    static String body(float[] image) {
        StringBuilder data = new StringBuilder(image.length * 8);
        for (int i = 0; i < image.length; i++) {
            data.append(i == 0 ? "" : ",").append(image[i]);
        }
        return "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}";
    }

    /** A never-seen input (uniform noise): no detector flags it, so only the gate (blocked clients, limits) can refuse it. */
    static String freshBody() {
        float[] image = new float[784];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        return body(image);
    }

    /** POST /v2/models/{model}/infer to one pod's sidecar, as the client with {@code apiKey} (and X-Forwarded-For, if given). */
    static HttpResponse<String> infer(RunningPod pod, String model, String apiKey, String forwardedFor, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pod.url(DATA_PORT) + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json").header("X-API-Key", apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("sidecar of " + pod.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * GET /v2/models/{model} (metadata) from one pod's sidecar as the client with {@code apiKey}: the same gate as
     * inference (blocked clients 403, unknown keys 401) in front of an answer that costs the model server
     * nothing, so polling with it times a change of the gate to a few milliseconds either way.
     */
    static HttpResponse<String> metadata(RunningPod pod, String model, String apiKey) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(pod.url(DATA_PORT) + "/v2/models/" + model))
                    .timeout(Duration.ofSeconds(20)).header("X-API-Key", apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("sidecar of " + pod.name() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The pod's /metrics (management port). */
    static String metrics(RunningPod pod) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(pod.url(METRICS_PORT) + "/metrics")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code robustml_sidecar_config_info{sha256}}: the first 12 hex digits of the detector.json in force. */
    static Optional<String> configSha(RunningPod pod) {
        Matcher m = CONFIG_INFO.matcher(metrics(pod));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The sum of a metric's samples whose labels contain {@code label} (all samples when it is empty). */
    static double metric(RunningPod pod, String name, String label) {
        return sum(metrics(pod), name, label);
    }

    /** The sum of a metric's samples in a Prometheus text page whose line carries {@code label}. */
    static double sum(String page, String name, String label) {
        return page.lines().filter(l -> (l.startsWith(name + "{") || l.startsWith(name + " ")) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Whether an answer is the gate's 403 for a blocked client (not the detector's block of a flagged input). */
    static boolean blockedClient(HttpResponse<String> r) {
        return r.statusCode() == 403 && r.body().contains("client blocked");
    }

    /** Whether an answer is the detector's 403 for a flagged input ({@code action: block}). */
    static boolean blockedAsFlagged(HttpResponse<String> r) {
        return r.statusCode() == 403 && r.body().contains("flagged as adversarial");
    }

    /**
     * For each pod at once (one thread each), sends {@code request} back to back until an answer satisfies
     * {@code done}; per pod, the time from {@code since} to the sending of that request. The sidecar decides at
     * arrival (a request keeps the config it started with), so this is an upper bound of when the change was in
     * force there, and not later than the previous request's sending by more than one round trip: a refusal at
     * the gate returns in milliseconds, a served inference in ~0.1–0.3 s. Fails after {@code timeout} with the
     * last answer of each pod that never got there.
     */
    static Map<String, Duration> untilEach(List<RunningPod> pods, Instant since, Duration timeout,
            Function<RunningPod, HttpResponse<String>> request, Predicate<HttpResponse<String>> done) throws Exception {
        return untilEach(pods, since, timeout, request, done, r -> r.statusCode() + " " + r.body());
    }

    /** As above for any observation of a pod, e.g. its config_info sha from the metrics port (the time of the asking). */
    static <T> Map<String, Duration> untilEach(List<RunningPod> pods, Instant since, Duration timeout,
            Function<RunningPod, T> observe, Predicate<T> done, Function<T, String> describe) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(pods.size());
        try {
            Map<String, Future<Duration>> futures = new LinkedHashMap<>();
            for (RunningPod pod : pods) {
                futures.put(pod.name(), pool.submit(() -> {
                    T last = null;
                    while (Duration.between(since, Instant.now()).compareTo(timeout) < 0) {
                        Instant sent = Instant.now();
                        last = observe.apply(pod);
                        if (done.test(last)) {
                            return Duration.between(since, sent);
                        }
                        Thread.sleep(10);
                    }
                    throw new AssertionError("sidecar of " + pod.name() + " not there after " + timeout.toSeconds()
                            + " s; last seen " + (last == null ? "nothing" : describe.apply(last)));
                }));
            }
            Map<String, Duration> result = new LinkedHashMap<>();
            for (var e : futures.entrySet()) {
                try {
                    result.put(e.getKey(), e.getValue().get());
                } catch (java.util.concurrent.ExecutionException ex) {
                    throw ex.getCause() instanceof Exception c ? c : new RuntimeException(ex.getCause());
                }
            }
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    static String millis(Map<String, Duration> perPod) {
        StringBuilder b = new StringBuilder();
        perPod.forEach((pod, d) -> b.append(b.length() == 0 ? "" : ", ").append(pod).append(' ').append(d.toMillis()).append(" ms"));
        return b.toString();
    }

    /** One Fashion-MNIST-shaped input (a fixed gradient) to {@code inferUrl}; the body of its 200 answer. */
    static String inferThroughService(String inferUrl) throws Exception {
        float[] image = new float[784];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i % 28) / 28f;
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(inferUrl))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(image))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("inference through the Service answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** http://host[:port] of a URL under the Service's /v2/ API. */
    static String serviceOf(String url) {
        int v2 = url.indexOf("/v2/");
        return v2 < 0 ? url : url.substring(0, v2);
    }

    /**
     * Waits (at most 30 s) until the Service at {@code serviceUrl} answers at all. After a verdict the operator
     * points the Service at the revision, and kube-proxy programs the node a moment later: until then a connection
     * is refused, as it is to any client racing the switch. {@link #hammer} waits so first.
     */
    static void awaitService(String serviceUrl) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(java.io.IOException.class).until(() -> HTTP.send(HttpRequest.newBuilder(
                        URI.create(serviceUrl + "/v2/health/ready")).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() > 0);
    }

    /**
     * A black-box attacker: {@code requests} near-duplicate queries (one image, a little fresh noise each, as
     * Square Attack sends) to {@code inferUrl} from 8 threads, under {@code apiKey} (null: by its address).
     * Returns how many got each HTTP status.
     */
    static java.util.Map<Integer, Integer> hammer(String inferUrl, int requests, String apiKey) throws Exception {
        awaitService(serviceOf(inferUrl));
        java.util.Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.Random random = new java.util.Random(7);
        java.util.List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < requests; i++) {
            float[] image = new float[784];
            for (int p = 0; p < image.length; p++) {
                double base = ((p / 28) > 6 && (p / 28) < 22 && (p % 28) > 8 && (p % 28) < 20) ? 0.8 : 0.0;
                image[p] = (float) Math.min(1, Math.max(0, base + (random.nextDouble() - 0.5) * 0.02));
            }
            var request = HttpRequest.newBuilder(URI.create(inferUrl))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(image)));
            if (apiKey != null) {
                request.header("X-API-Key", apiKey);
            }
            sent.add(pool.submit(() -> {
                var r = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding());
                statuses.merge(r.statusCode(), 1, Integer::sum);
                return null;
            }));
        }
        for (var f : sent) {
            f.get();
        }
        pool.shutdown();
        return new java.util.TreeMap<>(statuses);
    }
}
