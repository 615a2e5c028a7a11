package io.robustml.sidecar.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.robustml.oip.BinaryTensors;
import io.robustml.sidecar.detect.DetectorSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The hop to the model server (and to a fallback service): keep-alive clients, the request forwarded
 * with its binary header, the answer read whole; an unreachable or slow upstream is a 503 with a JSON
 * error, never a hang. Times the model server's share and the sidecar's own.
 *
 * <p>Whether the model server takes binary tensors is read from its {@code GET /v2} (the extension is
 * optional: this project's server has it, MLServer has not): every second from start-up until read, and
 * on readiness probes. The sidecar's own requests (squeezed copies) go binary only to a server that lists
 * it; a client's binary request to one that does not is refused before it is sent ({@link #refusesBinary}).
 */
@ApplicationScoped
public class ModelServer {
    private static final Logger LOG = Logger.getLogger(ModelServer.class);
    /** When the request reached the sidecar (System.nanoTime()), set by the routes. */
    static final String RECEIVED = "robustml.received";
    private static final com.fasterxml.jackson.databind.ObjectMapper METADATA = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Vertx vertx;
    private final Replies replies;
    private final HttpClient upstream;
    private final long timeoutMs;
    private final Optional<String> fallbackUrl;
    /** Fallback services by address: a reload may name another one. */
    private final java.util.Map<String, HttpClient> fallbackClients = new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer upstreamLatency;
    private final Timer addedLatency;
    /** Whether the model server lists the binary tensor extension; null until its metadata has been read. */
    private volatile Boolean binaryTensors;
    private volatile boolean asking;

    public ModelServer(Vertx vertx, MeterRegistry registry, Replies replies,
            @ConfigProperty(name = "robustml.upstream", defaultValue = "http://127.0.0.1:8081") String upstreamUrl,
            @ConfigProperty(name = "robustml.upstream-timeout-ms", defaultValue = "10000") long timeoutMs,
            @ConfigProperty(name = "robustml.fallback.url") Optional<String> fallbackUrl) {
        this.vertx = vertx;
        this.replies = replies;
        this.timeoutMs = timeoutMs;
        this.fallbackUrl = fallbackUrl;
        URI uri = URI.create(upstreamUrl);
        this.upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort()).setConnectTimeout(2000).setKeepAlive(true));
        this.upstreamLatency = Timer.builder("robustml_sidecar_upstream_seconds")
                .description("Time the model server took to answer").publishPercentileHistogram().register(registry);
        this.addedLatency = Timer.builder("robustml_sidecar_added_latency_seconds")
                .description("Time an inference request spent in the sidecar, upstream time excluded")
                .publishPercentileHistogram().register(registry);
    }

    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        askProtocol();
        vertx.setPeriodic(1000, id -> {
            if (binaryTensors != null) {
                vertx.cancelTimer(id);
            } else {
                askProtocol();
            }
        });
    }

    /** Reads the model server's {@code GET /v2} once more, unless already known or being read. */
    void askProtocol() {
        if (binaryTensors != null || asking) {
            return;
        }
        asking = true;
        upstream.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/v2").setIdleTimeout(timeoutMs))
                .compose(req -> req.send())
                .compose(resp -> resp.body().map(b -> resp.statusCode() == 200 ? b : null))
                .onComplete(done -> {
                    asking = false;
                    if (done.succeeded() && done.result() != null) {
                        try {
                            binaryTensors = BinaryTensors.listedIn(METADATA.readTree(done.result().getBytes()));
                            LOG.infof("the model server %s binary tensors", binaryTensors ? "takes" : "does not take");
                        } catch (java.io.IOException | RuntimeException e) {
                            LOG.debugf("the model server's GET /v2 is not JSON: %s", e.getMessage());
                        }
                    }
                });
    }

    /** Whether the sidecar's own requests may go as binary tensors: only once the model server said so. */
    boolean takesBinary() {
        return Boolean.TRUE.equals(binaryTensors);
    }

    /** Whether the model server said it does not take binary tensors: such requests are refused here. */
    boolean refusesBinary() {
        return Boolean.FALSE.equals(binaryTensors);
    }

    /** Sends {@code body} to the model server and reads its whole answer. */
    io.vertx.core.Future<UpstreamReply> call(String uri, Buffer body, String headerLength) {
        return call(upstream, uri, body, headerLength);
    }

    void recordUpstream(long nanos, TimeUnit unit) {
        upstreamLatency.record(nanos, unit);
    }

    void recordAdded(long nanos, TimeUnit unit) {
        addedLatency.record(nanos, unit);
    }

    /** Request options for the model server: the body's content type and, for binary tensors, the header. */
    private RequestOptions options(HttpMethod method, String uri, String headerLength) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setIdleTimeout(timeoutMs)
                .putHeader("content-type", headerLength == null ? "application/json" : "application/octet-stream");
        if (headerLength != null) {
            options.putHeader(BinaryTensors.HEADER, headerLength);
        }
        return options;
    }

    io.vertx.core.Future<UpstreamReply> call(HttpClient client, String uri, Buffer body, String headerLength) {
        long start = System.nanoTime();
        return client.request(options(HttpMethod.POST, uri, headerLength))
                .compose(req -> req.send(body))
                .compose(resp -> resp.body().map(b -> new UpstreamReply(resp.statusCode(), resp.getHeader("content-type"),
                        resp.getHeader(BinaryTensors.HEADER), b, System.nanoTime() - start)));
    }

    /** Passes the request on unchanged (binary bodies with their header) and the answer back unchanged. */
    void forward(RoutingContext ctx, Buffer body, String headerLength) {
        long start = System.nanoTime();
        HttpMethod method = ctx.request().method();
        upstream.request(options(method, ctx.request().uri(), body == null ? null : headerLength))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> {
                    long done = System.nanoTime();
                    upstreamLatency.record(done - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    Long received = ctx.get(RECEIVED);
                    if (received != null) {
                        addedLatency.record(start - received, java.util.concurrent.TimeUnit.NANOSECONDS);
                    }
                    ctx.response().setStatusCode(resp.statusCode());
                    String type = resp.getHeader("content-type");
                    if (type != null) {
                        ctx.response().putHeader("content-type", type);
                    }
                    String binaryHeader = resp.getHeader(BinaryTensors.HEADER);
                    if (binaryHeader != null) {
                        ctx.response().putHeader(BinaryTensors.HEADER, binaryHeader);
                    }
                    replies.count(ctx, resp.statusCode() < 400 ? "ok" : resp.statusCode() < 500 ? "client_error" : "upstream_error");
                    return b;
                }))
                .onSuccess(b -> ctx.response().end(b))
                .onFailure(err -> {
                    LOG.debugf("upstream failed for %s %s: %s", method, ctx.request().uri(), err.getMessage());
                    replies.reject(ctx, 503, "upstream_unavailable", "model server not reachable: " + err.getMessage());
                });
    }

    /** The fallback service: robustml.fallback.url when set, else http://<service>:<port> in the namespace. */
    HttpClient fallbackClient(DetectorSettings detector) {
        if (detector.fallback() == null || detector.fallback().abstains()) {
            return null;
        }
        String address = fallbackUrl.orElse("http://" + detector.fallback().service().name() + ":" + detector.fallback().service().port());
        return fallbackClients.computeIfAbsent(address, a -> {
            URI uri = URI.create(a);
            return vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort())
                    .setConnectTimeout(2000).setKeepAlive(true));
        });
    }
}
