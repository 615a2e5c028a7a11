package io.robustml.oip.similarity;

import java.util.ArrayDeque;
import java.util.Arrays;

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
    /** Window hash -> ids of the queries that have it, oldest first (primitive arrays: memory per query matters). */
    private final LongBuckets buckets;
    private final ArrayDeque<Entry> queries = new ArrayDeque<>();
    private long nextId;
    private long evictions;
    /** Shared hashes per live query during one match, and the slots it touched (all zero between calls). */
    private int[] counts;
    private int[] touched;

    private record Entry(long id, long at, long[] hashes) {
    }

    public FingerprintStore(int capacity, long ttlNanos, int bucketCap) {
        this.capacity = capacity;
        this.ttlNanos = ttlNanos;
        this.bucketCap = bucketCap;
        this.buckets = new LongBuckets(Math.min(capacity, 1 << 16) * 8);
    }

    /**
     * The largest number of hashes {@code hashes} shares with one earlier query, then records it.
     * Synchronized: the store is shared by all requests of the sidecar (and by the tester's calibration).
     */
    @Override
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
        if (counts == null) {
            counts = new int[capacity];
            touched = new int[64];
        }
        // Live ids span fewer than capacity consecutive values, so id mod capacity is a slot of their own.
        int best = 0;
        int touchedCount = 0;
        for (long h : hashes) {
            int bucket = buckets.find(h);
            if (bucket < 0) {
                continue;
            }
            long[] ids = buckets.isSingle(bucket) ? null : buckets.at(bucket);
            for (int k = 0, n = ids == null ? 1 : ids.length; k < n; k++) {
                long id = ids == null ? buckets.single(bucket) : ids[k];
                if (id >= oldestLive) {
                    int slot = (int) (id % capacity);
                    if (counts[slot]++ == 0) {
                        if (touchedCount == touched.length) {
                            touched = Arrays.copyOf(touched, touchedCount * 2);
                        }
                        touched[touchedCount++] = slot;
                    }
                    best = Math.max(best, counts[slot]);
                }
            }
        }
        for (int i = 0; i < touchedCount; i++) {
            counts[touched[i]] = 0;
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
            int slot = buckets.locate(h);
            long[] ids = buckets.at(slot);
            if (ids == null) {
                buckets.setSingle(slot, h, id);
                continue;
            }
            if (buckets.isSingle(slot)) {
                long other = buckets.single(slot);
                if (other < oldestLive || bucketCap == 1) {
                    buckets.setSingle(slot, h, id);
                } else {
                    buckets.set(slot, h, new long[] {other, id});
                }
                continue;
            }
            // Drop ids of queries gone and the oldest beyond the cap, then append (ids are ascending).
            int from = 0;
            while (from < ids.length && ids[from] < oldestLive) {
                from++;
            }
            if (from == 0 && ids.length >= bucketCap) { // a full bucket of live ids (background windows): shift in place
                System.arraycopy(ids, 1, ids, 0, ids.length - 1);
                ids[ids.length - 1] = id;
                continue;
            }
            from = Math.max(from, ids.length + 1 - bucketCap);
            long[] next = Arrays.copyOfRange(ids, from, ids.length + 1);
            next[next.length - 1] = id;
            buckets.set(slot, h, next);
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
            int slot = buckets.find(h);
            if (slot < 0) {
                continue;
            }
            if (buckets.isSingle(slot)) {
                if (buckets.single(slot) == e.id()) {
                    buckets.remove(h);
                }
                continue;
            }
            long[] ids = buckets.at(slot);
            int at = Arrays.binarySearch(ids, e.id());
            if (at < 0) {
                continue; // already dropped from a full bucket
            }
            if (ids.length == 1) {
                buckets.remove(h);
            } else if (ids.length == 2) {
                buckets.setSingle(slot, h, ids[1 - at]);
            } else {
                long[] next = new long[ids.length - 1];
                System.arraycopy(ids, 0, next, 0, at);
                System.arraycopy(ids, at + 1, next, at, ids.length - at - 1);
                buckets.set(slot, h, next);
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
