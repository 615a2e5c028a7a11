package io.robustml.sidecar.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PRADA model-extraction detection (Juuti et al., EuroS&P 2019), as its authors' released version
 * works: per client and per predicted class a "growing set" of that client's queries; each new query's
 * minimum L2 distance to the growing set of its class is recorded, and the query joins the set when
 * that distance exceeds the class's threshold (max of the old one and mean − std of the set's
 * distances). Every {@value #TEST_EVERY} queries, the distances of the classes holding at least
 * {@value #MIN_PER_CLASS} are pooled, values beyond 3 standard deviations dropped, and — once more than
 * {@value #MIN_DISTANCES} remain — the Shapiro–Wilk W is computed: W below δ marks the client as an
 * extraction suspect until a later test says otherwise. Natural queries give roughly normal
 * distances; synthetic ones (Jacobian augmentation: small steps from earlier queries) do not.
 *
 * <p>State is bounded so that a flood of identities cannot exhaust memory: at most {@code maxClients}
 * clients (least recently seen evicted first), at most {@code maxStoredValues} input values held in
 * all growing sets together (again evicting the least recently seen clients), clients idle longer
 * than the TTL forgotten, each client's growing set capped at {@code maxGrowingRows} rows and each
 * class's distances at the latest {@code maxDistancesPerClass}. An evicted client starts afresh,
 * which is PRADA's known limit: it is per client, so rotating identities evades it (docs/detectors.md).
 *
 * <p>Locking: the client table, its order and the totals under the instance's lock, held briefly; a
 * client's history (the distances to its growing sets, milliseconds for a long one, and its test)
 * under that client's own lock, so clients are observed in parallel.
 */
public final class Prada {
    static final int TEST_EVERY = 10;
    static final int MIN_PER_CLASS = 10;
    static final int MIN_DISTANCES = 100;

    /** Volatile: a config reload changes it for the clients' next test. */
    private volatile double delta;
    private final int maxClients;
    private final long ttlNanos;
    private final long maxStoredValues;
    private final int maxGrowingRows;
    private final int maxDistancesPerClass;
    private final LinkedHashMap<String, Client> clients = new LinkedHashMap<>(16, 0.75f, true);
    private final ShapiroWilk shapiro = new ShapiroWilk();
    private long storedValues;
    private long evictions;
    private long observations;

    /** The verdict for one query: whether its client is a suspect now, and the last W (NaN before the first test). */
    public record Verdict(boolean flagged, double w, int distances) {
    }

    public Prada(double delta, int maxClients, long ttlNanos, long maxStoredValues, int maxGrowingRows,
            int maxDistancesPerClass) {
        if (!(delta > 0 && delta < 1) || maxClients < 1 || maxGrowingRows < 1 || maxDistancesPerClass < MIN_PER_CLASS) {
            throw new IllegalArgumentException("invalid PRADA settings: delta " + delta + ", maxClients " + maxClients
                    + ", maxGrowingRows " + maxGrowingRows + ", maxDistancesPerClass " + maxDistancesPerClass);
        }
        this.delta = delta;
        this.maxClients = maxClients;
        this.ttlNanos = ttlNanos;
        this.maxStoredValues = maxStoredValues;
        this.maxGrowingRows = maxGrowingRows;
        this.maxDistancesPerClass = maxDistancesPerClass;
    }

    private static final class ClassState {
        final List<float[]> growing = new ArrayList<>();
        final List<Double> growingDistances = new ArrayList<>();
        double threshold;
        double[] distances = new double[16];
        int distanceCount;
        int distanceStart;

        void addDistance(double d, int cap) {
            if (distanceCount == cap) {
                distances[distanceStart] = d;
                distanceStart = (distanceStart + 1) % cap;
                return;
            }
            if (distanceCount == distances.length) {
                distances = java.util.Arrays.copyOf(distances, Math.min(cap, distances.length * 2));
            }
            distances[distanceCount++] = d;
        }
    }

    private static final class Client {
        /** Under the client's lock. */
        final Map<Integer, ClassState> classes = new HashMap<>();
        long queries;
        int growingRows;
        /** Under the instance's lock: when last observed, values held, and whether it has been dropped. */
        long lastSeen;
        long values;
        boolean dropped;
        boolean suspect;
        double w = Double.NaN;
        int tested;
    }

    /** Records one query of {@code client}, which the model classified as {@code predictedClass}. */
    public Verdict observe(String client, float[] query, int predictedClass, long now) {
        Client c;
        synchronized (this) {
            expire(now);
            observations++;
            c = clients.get(client);
            if (c == null) {
                c = new Client();
                clients.put(client, c);
            }
            c.lastSeen = now;
        }
        Verdict verdict;
        int added = 0;
        synchronized (c) {
            ClassState s = c.classes.computeIfAbsent(predictedClass, k -> new ClassState());
            if (s.growing.isEmpty()) {
                added = add(c, s, query, 0.0);
            } else {
                double min = Double.MAX_VALUE;
                for (float[] g : s.growing) {
                    min = Math.min(min, distance(g, query, min));
                }
                s.addDistance(min, maxDistancesPerClass);
                if (min > s.threshold) {
                    added = add(c, s, query, min);
                }
            }
            if (c.queries % TEST_EVERY == 0) {
                test(c);
            }
            c.queries++;
            verdict = new Verdict(c.suspect, c.w, c.tested);
        }
        synchronized (this) {
            if (!c.dropped) { // a client dropped meanwhile took what it held with it
                c.values += added;
                storedValues += added;
            }
            bound();
        }
        return verdict;
    }

    /** Updates the class's threshold and adds the query to its growing set if there is room; the values added. */
    private int add(Client c, ClassState s, float[] query, double distance) {
        s.growingDistances.add(distance);
        if (s.growingDistances.size() > 1) {
            double mean = 0;
            for (double d : s.growingDistances) {
                mean += d;
            }
            mean /= s.growingDistances.size();
            double var = 0;
            for (double d : s.growingDistances) {
                var += (d - mean) * (d - mean);
            }
            s.threshold = Math.max(s.threshold, mean - Math.sqrt(var / s.growingDistances.size()));
        }
        if (c.growingRows < maxGrowingRows) { // a full set still measures distances, it just stops growing
            s.growing.add(query);
            c.growingRows++;
            return query.length;
        }
        return 0;
    }

    /** Squared-then-rooted L2 distance, abandoned early once it exceeds {@code bound}. */
    private static double distance(float[] a, float[] b, double bound) {
        if (a.length != b.length) {
            return Double.MAX_VALUE; // another input shape: never "close"
        }
        double limit = bound == Double.MAX_VALUE ? Double.MAX_VALUE : bound * bound;
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
            if ((i & 63) == 63 && sum > limit) {
                return Math.sqrt(sum);
            }
        }
        return Math.sqrt(sum);
    }

    private void test(Client c) {
        int total = 0;
        for (ClassState s : c.classes.values()) {
            total += s.distanceCount >= MIN_PER_CLASS ? s.distanceCount : 0;
        }
        if (total <= MIN_DISTANCES) {
            return;
        }
        double[] pooled = new double[total];
        int k = 0;
        double mean = 0;
        for (ClassState s : c.classes.values()) {
            if (s.distanceCount >= MIN_PER_CLASS) {
                System.arraycopy(s.distances, 0, pooled, k, s.distanceCount);
                k += s.distanceCount;
            }
        }
        for (double d : pooled) {
            mean += d;
        }
        mean /= total;
        double var = 0;
        for (double d : pooled) {
            var += (d - mean) * (d - mean);
        }
        double limit = 3 * Math.sqrt(var / total);
        double[] kept = new double[total];
        int n = 0;
        for (double d : pooled) {
            if (Math.abs(d - mean) < limit) {
                kept[n++] = d;
            }
        }
        if (n <= MIN_DISTANCES) {
            return;
        }
        if (n > ShapiroWilk.MAX_N) { // the latest values per class are kept; W is defined up to 5000
            n = ShapiroWilk.MAX_N;
        }
        double w = shapiro.w(java.util.Arrays.copyOf(kept, n));
        c.tested = n;
        if (Double.isNaN(w)) { // all distances equal: as far from natural images as it gets
            c.w = 0.0;
            c.suspect = true;
            return;
        }
        c.w = w;
        c.suspect = w < delta;
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Client>> it = clients.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Client> e = it.next();
            if (now - e.getValue().lastSeen <= ttlNanos) {
                break; // access order: the rest were seen more recently
            }
            drop(it, e.getValue());
        }
    }

    private void bound() {
        Iterator<Map.Entry<String, Client>> it = clients.entrySet().iterator();
        while ((clients.size() > maxClients || storedValues > maxStoredValues) && it.hasNext()) {
            Map.Entry<String, Client> e = it.next();
            drop(it, e.getValue());
        }
    }

    private void drop(Iterator<Map.Entry<String, Client>> it, Client c) {
        c.dropped = true;
        storedValues -= c.values;
        evictions++;
        it.remove();
    }

    public synchronized int clients() {
        return clients.size();
    }

    public synchronized long storedValues() {
        return storedValues;
    }

    /** Queries observed since start, all clients. */
    public synchronized long observations() {
        return observations;
    }

    public synchronized long evictions() {
        return evictions;
    }

    /** A new δ from a reloaded config; histories are kept, the next test of each client uses it. */
    public void delta(double newDelta) {
        if (!(newDelta > 0 && newDelta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + newDelta);
        }
        this.delta = newDelta;
    }

    public double delta() {
        return delta;
    }
}
