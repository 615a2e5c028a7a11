package io.robustml.sidecar.detect;

/**
 * Rate limit of {@code spec.detector.rateLimit}: {@code requestsPerMinute} sustained with bursts up to
 * {@code burst}. Time is passed in (nanoseconds) so the limiter is deterministic under test.
 */
public final class TokenBucket {
    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long lastRefillNanos;

    public TokenBucket(int requestsPerMinute, int burst, long nowNanos) {
        if (requestsPerMinute <= 0 || burst <= 0) {
            throw new IllegalArgumentException("requestsPerMinute and burst must be positive, got "
                    + requestsPerMinute + " and " + burst);
        }
        this.capacity = burst;
        this.tokensPerNano = requestsPerMinute / 60e9;
        this.tokens = burst;
        this.lastRefillNanos = nowNanos;
    }

    /**
     * The same client's bucket under new limits: it keeps the tokens it has (up to the new burst), so a
     * containment change that lowers the rate never hands a client that spent its burst a fresh one.
     */
    public synchronized TokenBucket withLimits(int requestsPerMinute, int burst, long nowNanos) {
        refill(nowNanos);
        TokenBucket next = new TokenBucket(requestsPerMinute, burst, nowNanos);
        next.tokens = Math.min(burst, tokens);
        return next;
    }

    private void refill(long nowNanos) {
        if (nowNanos > lastRefillNanos) {
            tokens = Math.min(capacity, tokens + (nowNanos - lastRefillNanos) * tokensPerNano);
            lastRefillNanos = nowNanos;
        }
    }

    /** Takes one token if available; false means the request should get 429. */
    public boolean tryAcquire(long nowNanos) {
        return tryAcquire(1, nowNanos);
    }

    /** Takes {@code cost} tokens (a batch's rows) if all are available; never part of them. */
    public synchronized boolean tryAcquire(long cost, long nowNanos) {
        refill(nowNanos);
        if (tokens >= cost) {
            tokens -= cost;
            return true;
        }
        return false;
    }

    /** The most one request may cost: a batch above it can never pass. */
    public long burst() {
        return (long) capacity;
    }

    /** Seconds until {@code cost} tokens are there, for the Retry-After header. */
    public synchronized long secondsUntil(long cost) {
        double missing = Math.max(0.0, cost - tokens);
        return (long) Math.ceil(missing / tokensPerNano / 1e9);
    }
}
