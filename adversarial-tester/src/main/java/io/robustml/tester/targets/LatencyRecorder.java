package io.robustml.tester.targets;

import java.util.Arrays;

/** Request latencies, kept exactly (a run sends at most some hundred thousand requests). */
public final class LatencyRecorder {
    private long[] nanos = new long[1024];
    private int count;

    public synchronized void record(long elapsedNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = elapsedNanos;
    }

    public synchronized int count() {
        return count;
    }

    /** Nearest-rank percentile in milliseconds; NaN when nothing was recorded. */
    public synchronized double percentileMillis(double percentile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * count);
        return sorted[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
    }

    public synchronized void clear() {
        count = 0;
    }
}
