package io.robustml.sidecar.detect;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Fingerprints of recent queries from all clients, bounded in size (oldest first out) and in age.
 * Lookups are O(topN · bucket) hash probes, never a scan of history; each hash bucket keeps only its
 * newest {@code bucketCap} query ids, because windows of constant background are common to most
 * images and would otherwise grow buckets to tens of thousands (DESIGN §8).
 */
public final class FingerprintStore implements FingerprintTable {
    private final int capacity;
    private final long ttlNanos;
    private final int bucketCap;
    private final Map<Long, ArrayDeque<Long>> buckets = new HashMap<>();
    private final ArrayDeque<Entry> queries = new ArrayDeque<>();
    private long nextId;
    private long evictions;

    private record Entry(long id, long at, long[] hashes) {
    }

    public FingerprintStore(int capacity, long ttlNanos, int bucketCap) {
        this.capacity = capacity;
        this.ttlNanos = ttlNanos;
        this.bucketCap = bucketCap;
    }

    /**
     * The largest number of hashes {@code hashes} shares with one earlier query, then records it.
     * Synchronized: the store is shared by all requests of the sidecar.
     */
    public synchronized int matchAndAdd(long[] hashes, long now) {
        int best = match(hashes, now);
        add(hashes, now);
        return best;
    }

    /** The largest number of hashes {@code hashes} shares with one earlier query; records nothing. */
    @Override
    public synchronized int match(long[] hashes, long now) {
        expire(now);
        long oldestLive = queries.isEmpty() ? nextId : queries.peekFirst().id();
        Map<Long, Integer> counts = new HashMap<>();
        int best = 0;
        for (long h : hashes) {
            ArrayDeque<Long> ids = buckets.get(h);
            if (ids == null) {
                continue;
            }
            for (long id : ids) {
                if (id >= oldestLive) {
                    best = Math.max(best, counts.merge(id, 1, Integer::sum));
                }
            }
        }
        return best;
    }

    /** Records a query's fingerprint (the oldest goes when the store is full). */
    @Override
    public synchronized void add(long[] hashes, long now) {
        expire(now);
        long oldestLive = queries.isEmpty() ? nextId : queries.peekFirst().id();
        long id = nextId++;
        for (long h : hashes) {
            ArrayDeque<Long> ids = buckets.computeIfAbsent(h, k -> new ArrayDeque<>());
            ids.addLast(id);
            while (ids.size() > bucketCap || (!ids.isEmpty() && ids.peekFirst() < oldestLive)) {
                ids.pollFirst();
            }
        }
        queries.addLast(new Entry(id, now, hashes));
        while (queries.size() > capacity) {
            evict(queries.pollFirst());
        }
    }

    private void expire(long now) {
        while (!queries.isEmpty() && now - queries.peekFirst().at() > ttlNanos) {
            evict(queries.pollFirst());
        }
    }

    private void evict(Entry e) {
        evictions++;
        for (long h : e.hashes()) {
            ArrayDeque<Long> ids = buckets.get(h);
            if (ids != null) {
                ids.remove(e.id());
                if (ids.isEmpty()) {
                    buckets.remove(h);
                }
            }
        }
    }

    @Override
    public synchronized int size() {
        return queries.size();
    }

    @Override
    public synchronized long evictions() {
        return evictions;
    }
}
