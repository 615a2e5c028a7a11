package io.robustml.sidecar.proxy;

import io.robustml.sidecar.detect.TokenBucket;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One token bucket per client, with a bounded number of clients (least recently seen evicted) so a
 * flood of distinct identities cannot exhaust memory.
 */
public final class RateLimiter {
    private final int requestsPerMinute;
    private final int burst;
    private final Map<String, TokenBucket> buckets;

    public RateLimiter(int requestsPerMinute, int burst, int maxClients) {
        this.requestsPerMinute = requestsPerMinute;
        this.burst = burst;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Empty if allowed, else the seconds the client should wait (Retry-After). */
    public synchronized java.util.OptionalLong tryAcquire(String client, long nowNanos) {
        TokenBucket bucket = buckets.computeIfAbsent(client, c -> new TokenBucket(requestsPerMinute, burst, nowNanos));
        return bucket.tryAcquire(nowNanos) ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(Math.max(1, bucket.secondsUntilNextToken()));
    }

    public synchronized int clients() {
        return buckets.size();
    }
}
