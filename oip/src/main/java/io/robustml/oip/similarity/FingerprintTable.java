package io.robustml.oip.similarity;

/**
 * Where query-similarity fingerprints live: in the sidecar ({@link FingerprintStore}, the default) or
 * in Redis, shared by all replicas of a model (the sidecar's RedisFingerprintStore), so an attack spread over
 * replicas is seen as on one. Times are the caller's clock in nanoseconds for the in-memory table; the
 * Redis table uses the wall clock, which all replicas share.
 */
public interface FingerprintTable extends AutoCloseable {

    /** The largest number of hashes {@code hashes} shares with one live earlier query; records nothing. */
    int match(long[] hashes, long nowNanos);

    /** Records one query's hashes. */
    void add(long[] hashes, long nowNanos);

    /** {@link #match} then {@link #add}; atomic where the table can make it so (in memory). */
    default int matchAndAdd(long[] hashes, long nowNanos) {
        int shared = match(hashes, nowNanos);
        add(hashes, nowNanos);
        return shared;
    }

    /** Queries held (for Redis: live ids within the capacity, an upper bound when some aged out). */
    int size();

    /** Queries evicted for capacity or age so far (for Redis: for capacity, across all replicas). */
    long evictions();

    /** True when calls do network I/O and must not run on an event loop. */
    default boolean remote() {
        return false;
    }

    @Override
    default void close() {
    }
}
