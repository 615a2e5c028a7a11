package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.FingerprintTable;
import io.robustml.oip.similarity.Fingerprints;
import org.jboss.logging.Logger;

/**
 * Account-agnostic query similarity (Blacklight, Li et al., USENIX Security 2022): each row's
 * fingerprint against the recent queries of every client, and against the earlier rows of its own
 * request (NES sends its samples as one batch). Rows are recorded only once the request has been
 * answered or acted on ({@link #record}), so requests that fail leave no trace. With a remote store
 * (Redis) both calls block: callers run them off the event loop.
 */
public final class QuerySimilarityDetector {
    public static final String NAME = "querySimilarity";
    private static final Logger LOG = Logger.getLogger(QuerySimilarityDetector.class);

    private final FingerprintTable store;
    private final DistributionSummary matchingHashes;
    private final Counter storeErrors;

    /**
     * The fingerprints and verdicts of one request's rows; {@code storeFailed}: the shared store did not
     * answer, so the rows were compared only with each other; {@code recorded}: the rows are in the store.
     */
    public record Result(int[] matches, boolean[] similar, long[][] hashes, boolean storeFailed, boolean recorded)
            implements Findings {
        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public boolean flagged(int row) {
            return similar[row];
        }

        @Override
        public void writeScores(int row, ObjectNode scores) {
            scores.put("querySimilarityMatches", matches[row]);
        }
    }

    public QuerySimilarityDetector(FingerprintTable store, MeterRegistry registry) {
        this.store = store;
        Gauge.builder("robustml_sidecar_fingerprint_queries", store, FingerprintTable::size)
                .description("Queries held in the query-similarity store").register(registry);
        FunctionCounter.builder("robustml_sidecar_fingerprint_evictions_total", store, FingerprintTable::evictions)
                .description("Queries evicted from the store (capacity or age)").register(registry);
        this.storeErrors = registry.counter("robustml_sidecar_fingerprint_store_errors_total");
        this.matchingHashes = DistributionSummary.builder("robustml_sidecar_similarity_matching_hashes")
                .description("Query similarity: hashes an input shares with its closest earlier query (0-50)")
                .serviceLevelObjectives(1, 5, 10, 15, 20, 25, 30, 40, 50).register(registry);
    }

    /** Whether calls block on the network (Redis): then they belong off the event loop. */
    public boolean remote() {
        return store.remote();
    }

    public FingerprintTable store() {
        return store;
    }

    /** The rows against the store, which they do not join yet ({@link #record} once the request is answered). */
    public Result inspect(InputRows rows, DetectorSettings settings) {
        return inspect(rows, settings, false);
    }

    /**
     * For a request already answered: each row matched and added in one step, so that two replays
     * inspected at once on two threads still meet.
     */
    public Result inspectAnswered(InputRows rows, DetectorSettings settings) {
        return inspect(rows, settings, true);
    }

    private Result inspect(InputRows rows, DetectorSettings settings, boolean add) {
        int n = rows.rows();
        int[] matches = new int[n];
        boolean[] similar = new boolean[n];
        long[][] hashes = new long[n][];
        FingerprintStore withinRequest = new FingerprintStore(Math.max(1, n), Long.MAX_VALUE, Math.max(1, n));
        long now = System.nanoTime();
        boolean storeFailed = false;
        for (int i = 0; i < n; i++) {
            hashes[i] = Fingerprints.of(settings.row(rows.row(i)), settings.quantization(), settings.windowSize(), DetectorSettings.TOP_HASHES);
            int shared = 0;
            if (!storeFailed) { // after one failure the rest of the batch does not wait for the store again
                try {
                    shared = add ? store.matchAndAdd(hashes[i], now) : store.match(hashes[i], now);
                } catch (RuntimeException e) { // the caller decides by sharedStore.onFailure
                    storeFailed = true;
                    storeErrors.increment();
                    LOG.debugf("fingerprint store lookup failed: %s", e.getMessage());
                }
            }
            matches[i] = Math.max(shared, withinRequest.matchAndAdd(hashes[i], now));
            matchingHashes.record(matches[i]);
            similar[i] = matches[i] >= settings.matchThreshold();
        }
        return new Result(matches, similar, hashes, storeFailed, add && !storeFailed);
    }

    /** Adds a request's fingerprints to the store. */
    public void record(Result result) {
        if (result.recorded()) {
            return;
        }
        long now = System.nanoTime();
        try {
            for (long[] h : result.hashes()) {
                store.add(h, now);
            }
        } catch (RuntimeException e) {
            storeErrors.increment();
            LOG.debugf("fingerprint store update failed: %s", e.getMessage());
        }
    }
}
