package io.robustml.modelserver.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one model this server serves. Set from the pod spec's environment: ROBUSTML_MODEL_URI,
 * ROBUSTML_MODEL_FORMAT, ROBUSTML_MODEL_SHA256, ROBUSTML_MODEL_NAME, ROBUSTML_MODEL_INPUT_SHAPE, …
 */
@ConfigMapping(prefix = "robustml.model")
public interface ModelServerConfig {
    /** Model name in the protocol's URLs (the RobustModel's name). */
    @WithDefault("model")
    String name();

    /** Version reported in responses (the revision). */
    @WithDefault("1")
    String version();

    /**
     * file:///path or a plain path (a mounted volume), https://host/path, or s3://bucket/key; remote
     * models are fetched into {@link #cacheDir()} and verified before they are loaded.
     */
    String uri();

    /** torchscript or onnx. */
    @WithDefault("torchscript")
    String format();

    /** Expected SHA-256 of the model file; the server never becomes ready on a mismatch. */
    String sha256();

    /** Input shape without the batch dimension. */
    @WithDefault("1,28,28")
    List<Long> inputShape();

    @WithDefault("input")
    String inputName();

    @WithDefault("logits")
    String outputName();

    /** Class names in output order (optional). */
    Optional<List<String>> labels();

    /** Largest batch (shape[0]) one request may carry. */
    @WithDefault(io.robustml.oip.RequestLimits.DEFAULT_MAX_BATCH)
    int maxBatch();

    /**
     * In a pod: end the process when the model file's digest does not match, with the reason in the
     * container's termination message, so Kubernetes (and the operator) see why it never became ready.
     */
    @WithDefault("false")
    boolean exitOnIntegrityFailure();

    /**
     * In a pod: end the process when a remote model cannot be fetched (after the fetcher's own retries),
     * with the reason (no credentials) in the termination message: the kubelet restarts the container
     * with its back-off, which retries the fetch, and the operator reports ModelFetchFailed meanwhile.
     */
    @WithDefault("false")
    boolean exitOnFetchFailure();

    /** Where Kubernetes reads a container's termination message. */
    @WithDefault("/dev/termination-log")
    String terminationLog();

    /** Where remote models are downloaded (an emptyDir in the pod): the verified file is {@code <dir>/<sha256>}. */
    @WithDefault("/var/cache/robustml/model")
    String cacheDir();

    /** Bearer token for https:// models (the credentials Secret's {@code token}). */
    Optional<String> token();

    /** Accept http:// model URIs (tests, trusted in-cluster stores); refused by default. */
    @WithDefault("false")
    boolean allowHttp();

    /** Largest model file to download; a larger one is refused before or while it is read. */
    @WithDefault("21474836480")
    long maxBytes();

    /** Connecting to the model store, per attempt. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Longest wait for the next bytes of a download (a stalled connection fails and is retried). */
    @WithDefault("60s")
    Duration readTimeout();

    /** Tries in all for connection errors and 5xx/408/429 answers; other answers are final at once. */
    @WithDefault("5")
    int fetchAttempts();

    /** Wait after the first failed try; doubles after each further one, up to 30 s. */
    @WithDefault("1s")
    Duration fetchBackoff();

    /**
     * Where the model runs: auto (the engine's default device: a GPU when it finds one), cpu, or gpu —
     * which ends the process with ModelDeviceUnavailable when the engine finds no GPU (the operator sets
     * gpu for pods given GPUs and cpu for the others).
     */
    @WithDefault("auto")
    String device();

    /** Model instances (DJL predictors, each one forward pass at a time); 0 means one per CPU. */
    @WithDefault("0")
    int predictors();

    /** Engine threads inside one forward pass (libtorch, ONNX Runtime); 0 means the CPUs left to each instance. */
    @WithDefault("0")
    int intraOpThreads();

    /** Dynamic batching: requests waiting for the model share one forward pass. */
    Batching batching();

    /** Triton's dynamic batcher settings ({@link BatchPolicy}). */
    interface Batching {
        @WithDefault("true")
        boolean enabled();

        /** Most rows in one merged forward pass; a request with more rows runs alone. */
        @WithDefault(io.robustml.oip.BatchingDefaults.MAX_BATCH_SIZE)
        int maxBatchSize();

        /** Batch sizes sent at once when the queue adds up to one; none: as large as the queue allows. */
        Optional<List<Integer>> preferredBatchSizes();

        /**
         * How long the oldest queued request may wait for others while no preferred size is reached
         * (Triton's max_queue_delay_microseconds). 0: never; requests are still merged whenever they
         * queue behind a busy model, so a lone client is never delayed.
         */
        @WithDefault("0")
        long maxQueueDelayMicroseconds();
    }
}
