package io.robustml.modelserver.runtime;

import java.util.List;

/**
 * Triton's dynamic-batcher rule, as a pure decision: how many of the queued requests (oldest first,
 * never split) go into the next forward pass. A preferred batch size that the queue's head adds up to
 * exactly is sent at once; without one, the batch is sent when it is full or when the oldest request has
 * waited the queue delay (at once with a delay of 0: a lone client never waits for company). A request
 * larger than the largest batch goes alone.
 */
public record BatchPolicy(int maxBatchSize, List<Integer> preferredBatchSizes, long maxQueueDelayNanos) {
    public BatchPolicy {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("the largest batch must be at least 1 row, got " + maxBatchSize);
        }
        if (maxQueueDelayNanos < 0) {
            throw new IllegalArgumentException("the queue delay must not be negative, got " + maxQueueDelayNanos);
        }
        for (int p : preferredBatchSizes) {
            if (p < 1 || p > maxBatchSize) {
                throw new IllegalArgumentException("preferred batch size " + p + " must be between 1 and the largest batch "
                        + maxBatchSize);
            }
        }
        preferredBatchSizes = List.copyOf(preferredBatchSizes);
    }

    /**
     * Requests to take from the head of the queue now, or 0 to wait for more.
     *
     * @param rows the queued requests' row counts, oldest first (at least one)
     * @param queued how many entries of {@code rows} are queued requests
     * @param waited how long the oldest has waited
     */
    public int take(int[] rows, int queued, long waited) {
        if (rows[0] >= maxBatchSize) {
            return 1; // full, or too large to share a forward pass
        }
        int total = 0;
        int fit = 0; // requests that fit in one batch, oldest first
        int preferred = 0; // the most of them that add up to a preferred size
        for (int i = 0; i < queued && total + rows[i] <= maxBatchSize; i++) {
            total += rows[i];
            fit = i + 1;
            if (preferredBatchSizes.contains(total)) {
                preferred = fit;
            }
        }
        if (preferred > 0) {
            return preferred;
        }
        boolean full = total == maxBatchSize || fit < queued;
        return full || waited >= maxQueueDelayNanos ? fit : 0;
    }
}
