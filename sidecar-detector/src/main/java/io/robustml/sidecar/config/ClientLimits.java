package io.robustml.sidecar.config;

/**
 * A client's limits: sustained requests per minute, burst, and requests per UTC day (0: no quota).
 * {@code requestsPerMinute} 0 means no rate limit.
 */
public record ClientLimits(int requestsPerMinute, int burst, long dailyQuota) {
    public static final ClientLimits NONE = new ClientLimits(0, 0, 0);

    /** Default burst: a tenth of a minute's worth, as before (rpm / 6). */
    public static ClientLimits of(int requestsPerMinute, int burst, long dailyQuota) {
        if (requestsPerMinute < 0 || burst < 0 || dailyQuota < 0) {
            throw new IllegalArgumentException("rate limits must not be negative: requestsPerMinute " + requestsPerMinute
                    + ", burst " + burst + ", dailyQuota " + dailyQuota);
        }
        return new ClientLimits(requestsPerMinute, requestsPerMinute > 0 && burst == 0 ? Math.max(1, requestsPerMinute / 6) : burst,
                dailyQuota);
    }

    public boolean limitsRate() {
        return requestsPerMinute > 0;
    }

    public boolean hasQuota() {
        return dailyQuota > 0;
    }
}
