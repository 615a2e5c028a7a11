package io.robustml.sidecar.proxy;

import io.robustml.sidecar.config.ClientLimits;
import io.robustml.sidecar.detect.TokenBucket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client rate limits (token bucket) and daily quotas (per UTC day), keyed by client name, counted in
 * rows: a request costs the rows of its batch, so one token never buys 1,024 images. Clients are keyed by name,
 * with a bounded number of clients (least recently seen forgotten) so a flood of identities cannot
 * exhaust memory. A client's bucket is rebuilt only when its numbers change (a config reload that
 * leaves them alone keeps its state). With a {@link SharedCounters} store the windows are counted there
 * instead, so all replicas of a model share them: a fixed one-minute window of {@code requestsPerMinute}
 * (the burst plays no part) and a UTC-day counter; a failing store falls back to the local state and is
 * counted by the caller.
 */
public final class ClientLimiter {
    public sealed interface Decision {
    }

    public record Allowed() implements Decision {
    }

    public record RateLimited(long retryAfterSeconds) implements Decision {
    }

    public record QuotaExhausted(long quota, long retryAfterSeconds) implements Decision {
    }

    /** A batch of more rows than the client may ever send at once (its burst, or its shared per-minute rate). */
    public record BatchTooLarge(long rows, long allowed) implements Decision {
    }

    /** Counters shared by replicas (Redis): adds to a key (a TTL set when it is created) and returns the new count. */
    public interface SharedCounters {
        long increment(String key, long by, long ttlMillis);
    }

    private static final long DAY_MS = 86_400_000L;
    /** The one Allowed decision (it carries nothing). */
    public static final Allowed ALLOWED = new Allowed();

    private static final class Entry {
        ClientLimits limits;
        TokenBucket bucket;
        long day = -1;
        long used;
    }

    private final Map<String, Entry> clients;

    public ClientLimiter(int maxClients) {
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Local decision: takes {@code rows} tokens and as many units of the day's quota when both are available. */
    public synchronized Decision tryAcquire(String client, ClientLimits limits, long rows, long nowNanos, long epochMillis) {
        if (!limits.limitsRate() && !limits.hasQuota()) {
            return ALLOWED;
        }
        Entry e = clients.computeIfAbsent(client, c -> new Entry());
        if (e.limits == null || e.limits.requestsPerMinute() != limits.requestsPerMinute() || e.limits.burst() != limits.burst()) {
            // A client keeps what it has spent across a limits change (a new client starts with a full burst).
            e.bucket = !limits.limitsRate() ? null : e.bucket == null
                    ? new TokenBucket(limits.requestsPerMinute(), limits.burst(), nowNanos)
                    : e.bucket.withLimits(limits.requestsPerMinute(), limits.burst(), nowNanos);
        }
        e.limits = limits;
        if (e.bucket != null && rows > e.bucket.burst()) {
            return new BatchTooLarge(rows, e.bucket.burst());
        }
        if (e.bucket != null && !e.bucket.tryAcquire(rows, nowNanos)) {
            return new RateLimited(Math.max(1, e.bucket.secondsUntil(rows)));
        }
        long day = epochMillis / DAY_MS;
        if (e.day != day) {
            e.day = day;
            e.used = 0;
        }
        if (limits.hasQuota()) {
            if (e.used + rows > limits.dailyQuota()) {
                return new QuotaExhausted(limits.dailyQuota(), secondsToMidnight(epochMillis));
            }
            e.used += rows;
        }
        return ALLOWED;
    }

    /**
     * Shared decision (blocking: call it off the event loop). Throws what the store throws; the caller
     * falls back to {@link #tryAcquire}.
     */
    public static Decision tryAcquireShared(SharedCounters store, String client, ClientLimits limits, long rows,
            long epochMillis) {
        if (limits.limitsRate() && rows > limits.requestsPerMinute()) {
            return new BatchTooLarge(rows, limits.requestsPerMinute());
        }
        if (limits.limitsRate()) {
            long minute = epochMillis / 60_000;
            long n = store.increment("rl:" + client + ":" + minute, rows, 61_000);
            if (n > limits.requestsPerMinute()) {
                return new RateLimited(Math.max(1, (60_000 - epochMillis % 60_000 + 999) / 1000));
            }
        }
        if (limits.hasQuota()) {
            long day = epochMillis / DAY_MS;
            long n = store.increment("q:" + client + ":" + day, rows, DAY_MS + 3_600_000);
            if (n > limits.dailyQuota()) {
                return new QuotaExhausted(limits.dailyQuota(), secondsToMidnight(epochMillis));
            }
        }
        return ALLOWED;
    }

    static long secondsToMidnight(long epochMillis) {
        return Math.max(1, (DAY_MS - epochMillis % DAY_MS + 999) / 1000);
    }

    public synchronized int clients() {
        return clients.size();
    }
}
