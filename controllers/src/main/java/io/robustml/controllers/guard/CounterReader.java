package io.robustml.controllers.guard;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the serving revision's sidecar counters for the guard, at most once per {@link GuardSettings#interval},
 * into a {@link CounterHistory} per model (the operator's memory; a new serving revision starts a new one).
 */
public final class CounterReader {
    private static final Logger LOG = LoggerFactory.getLogger(CounterReader.class);

    /** A pod's sidecar metrics text, or empty when it cannot be read now. */
    @FunctionalInterface
    public interface Scrape {
        Optional<String> metrics(Pod pod);
    }

    private final Scrape scrape;
    private final Map<String, CounterHistory> histories = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastRead = new ConcurrentHashMap<>();

    public CounterReader(Scrape scrape) {
        this.scrape = scrape;
    }

    /** Over HTTP, from each pod's metrics port: the port the NetworkPolicy admits from the operator's namespace. */
    public static CounterReader overHttp(int metricsPort) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return new CounterReader(pod -> {
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            if (ip == null || ip.isBlank()) {
                return Optional.empty();
            }
            String host = ip.contains(":") ? "[" + ip + "]" : ip;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + metricsPort + "/metrics"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
            } catch (java.io.IOException e) {
                LOG.debug("cannot read the sidecar counters of pod {}: {}", pod.getMetadata().getName(), e.toString());
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        });
    }

    /**
     * Reads the pods (those running, of {@code revision}) if the interval has passed, and evaluates the rule;
     * empty while what was read covers less than the shortest window.
     */
    public Optional<BurnRate.Evaluation> evaluate(String model, String revision, List<Pod> pods, GuardSettings settings,
            Baseline baseline, Instant now) {
        CounterHistory history = histories.compute(model, (k, h) -> h == null || !h.revision().equals(revision)
                ? new CounterHistory(revision) : h);
        Instant last = lastRead.get(model);
        if (last == null || !now.isBefore(last.plus(settings.interval()))) {
            lastRead.put(model, now);
            for (Pod pod : pods) {
                if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                    scrape.metrics(pod).map(SidecarCounts::parse)
                            .ifPresent(c -> history.record(pod.getMetadata().getUid(), now, c));
                }
            }
            history.prune(now, settings.longest());
        }
        Duration shortest = settings.windows().stream().map(GuardSettings.Window::shortWindow).min(Duration::compareTo)
                .orElseThrow();
        return history.covers(shortest, now) ? Optional.of(BurnRate.evaluate(settings, history, baseline.rate(), now))
                : Optional.empty();
    }

    /** A model gone, or no longer guarded. */
    public void forget(String model) {
        histories.remove(model);
        lastRead.remove(model);
    }
}
