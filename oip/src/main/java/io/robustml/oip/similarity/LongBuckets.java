package io.robustml.oip.similarity;

/**
 * A {@code long -> long[]} hash map without boxing: open addressing with linear probing and
 * backward-shift deletion (no tombstones). The fingerprint store keeps one bucket per window hash,
 * and most hashes are seen once, so per-bucket overhead decides the store's memory: with
 * {@code HashMap<Long, ArrayDeque<Long>>} a stored query (50 hashes) cost 8,683 bytes, with this 1,923
 * (DetectorOverheadBenchmark#perDetector, docs/benchmarks.md).
 */
final class LongBuckets {
    /**
     * A slot's value when its bucket holds one id, kept in {@code singles} instead of an array of its own:
     * most hashes are seen once, and an array per new hash was most of an insert's cost and memory.
     */
    static final long[] SINGLE = new long[0];

    private long[] keys;
    private long[][] values;
    private long[] singles;
    private int mask;
    private int size;

    LongBuckets(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 4 / 3)) << 1;
        keys = new long[capacity];
        values = new long[capacity][];
        singles = new long[capacity];
        mask = capacity - 1;
    }

    /** The bucket of {@code key} as an array (a single id is copied out), or null. */
    long[] get(long key) {
        int i = find(key);
        return i < 0 ? null : values[i] == SINGLE ? new long[] {singles[i]} : values[i];
    }

    /** The slot holding {@code key}, or -1. */
    int find(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == null) {
                return -1;
            }
            if (keys[i] == key) {
                return i;
            }
        }
    }

    /** Whether the bucket in a slot from {@link #locate}/{@link #find} holds one id ({@link #single}). */
    boolean isSingle(int slot) {
        return values[slot] == SINGLE;
    }

    long single(int slot) {
        return singles[slot];
    }

    /** Fills or replaces a slot from {@link #locate} with a bucket of one id (no other change in between). */
    void setSingle(int slot, long key, long id) {
        set(slot, key, SINGLE);
        singles[slot] = id;
    }

    /**
     * The slot holding {@code key}, or the empty slot where it would go (room for it is made first): read
     * it with {@link #at}, fill or replace it with {@link #set} — one probe where get-then-put costs two.
     */
    int locate(long key) {
        if ((size + 1) * 4L > keys.length * 3L) { // load factor 0.75
            grow();
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == null || keys[i] == key) {
                return i;
            }
        }
    }

    /** The bucket in a slot from {@link #locate}; null when the key is not there, {@link #SINGLE} for one id. */
    long[] at(int slot) {
        return values[slot];
    }

    /** Fills or replaces a slot from {@link #locate} (no other change in between); {@code value} not null. */
    void set(int slot, long key, long[] value) {
        if (values[slot] == null) {
            size++;
        }
        keys[slot] = key;
        values[slot] = value;
    }

    /** Sets the bucket of {@code key}; {@code value} must not be null (use {@link #remove}). */
    void put(long key, long[] value) {
        set(locate(key), key, value);
    }

    void remove(long key) {
        int i = slot(key);
        while (true) {
            if (values[i] == null) {
                return;
            }
            if (keys[i] == key) {
                break;
            }
            i = (i + 1) & mask;
        }
        // Backward shift: move later entries of the probe run into the hole when their home slot allows.
        int hole = i;
        for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                singles[hole] = singles[j];
                hole = j;
            }
        }
        values[hole] = null;
        size--;
    }

    int size() {
        return size;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[][] oldValues = values;
        long[] oldSingles = singles;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2][];
        singles = new long[oldKeys.length * 2];
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                int slot = locate(oldKeys[i]);
                set(slot, oldKeys[i], oldValues[i]);
                singles[slot] = oldSingles[i];
            }
        }
    }
}
