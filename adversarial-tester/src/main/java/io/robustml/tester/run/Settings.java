package io.robustml.tester.run;

/**
 * How the tester works, as opposed to what it tests (the run's spec).
 *
 * @param batchSize      examples per batch: memory is bounded by it, not by the dataset
 * @param seed           seed of every random choice (random starts, Square Attack, noise, targets)
 * @param latencyProbes  single-example requests timed for the latency percentiles
 * @param squarePInit    Square Attack's initial window fraction
 * @param apiKey         sent as X-API-Key, so the sidecar can show this caller its verdicts
 * @param timeoutSeconds per request
 */
public record Settings(int batchSize, long seed, int latencyProbes, float squarePInit, String apiKey, int timeoutSeconds) {
    public static Settings defaults() {
        return new Settings(100, 0, 100, 0.8f, null, 30);
    }

    public Settings {
        if (batchSize < 1 || latencyProbes < 0 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("batch size and timeout must be positive, latency probes not negative");
        }
    }

    public Settings withApiKey(String key) {
        return new Settings(batchSize, seed, latencyProbes, squarePInit, key, timeoutSeconds);
    }
}
