package io.robustml.fetch;

import java.time.Duration;

/**
 * When a failed download is tried again: connection errors and answers that say "later" (5xx, 408,
 * 429) are, up to {@code maxAttempts} in all, with exponential backoff; any other answer is final.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt, got " + maxAttempts);
        }
    }

    /** 5xx, 408 (request timeout) and 429 (throttled, S3's SlowDown is a 503) may succeed later; 4xx will not. */
    public static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    /**
     * The wait after the {@code failedAttempts}-th failure: initial × 2^(n-1), capped, stretched by up
     * to a quarter by {@code jitter} in [0, 1) so replicas that failed together do not retry together.
     */
    public Duration backoff(int failedAttempts, double jitter) {
        long initial = initialBackoff.toMillis();
        long base = failedAttempts >= 31 ? Long.MAX_VALUE : initial << Math.max(0, failedAttempts - 1);
        long capped = base < initial ? maxBackoff.toMillis() : Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(capped + (long) (capped * 0.25 * jitter));
    }
}
