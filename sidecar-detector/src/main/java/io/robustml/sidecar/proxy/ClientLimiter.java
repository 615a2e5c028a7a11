package io.robustml.sidecar.proxy;

import io.robustml.sidecar.config.ClientLimits;
import io.robustml.sidecar.detect.TokenBucket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client rate limits (token bucket) and daily quotas (requests per UTC day), keyed by client name,
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

    /** Counters shared by replicas (Redis): increments a key with a TTL and returns the new count. */
    public interface SharedCounters {
        long increment(String key, long ttlMillis);
    }

    private static final long DAY_MS = 86_400_000L;
    private static final Allowed ALLOWED = new Allowed();

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

    /** Local decision: takes a token and a unit of the day's quota when both are available. */
    public synchronized Decision tryAcquire(String client, ClientLimits limits, long nowNanos, long epochMillis) {
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
        if (e.bucket != null && !e.bucket.tryAcquire(nowNanos)) {
            return new RateLimited(Math.max(1, e.bucket.secondsUntilNextToken()));
        }
        long day = epochMillis / DAY_MS;
        if (e.day != day) {
            e.day = day;
            e.used = 0;
        }
        if (limits.hasQuota()) {
            if (e.used >= limits.dailyQuota()) {
                return new QuotaExhausted(limits.dailyQuota(), secondsToMidnight(epochMillis));
            }
            e.used++;
        }
        return ALLOWED;
    }

    /**
     * Shared decision (blocking: call it off the event loop). Throws what the store throws; the caller
     * falls back to {@link #tryAcquire}.
     */
    public static Decision tryAcquireShared(SharedCounters store, String client, ClientLimits limits, long epochMillis) {
        if (limits.limitsRate()) {
            long minute = epochMillis / 60_000;
            long n = store.increment("rl:" + client + ":" + minute, 61_000);
            if (n > limits.requestsPerMinute()) {
                return new RateLimited(Math.max(1, (60_000 - epochMillis % 60_000 + 999) / 1000));
            }
        }
        if (limits.hasQuota()) {
            long day = epochMillis / DAY_MS;
            long n = store.increment("q:" + client + ":" + day, DAY_MS + 3_600_000);
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
