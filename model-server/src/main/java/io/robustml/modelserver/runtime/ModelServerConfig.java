package io.robustml.modelserver.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
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

    /** file:///path or a plain path: the serving pod's init step has already fetched the file. */
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
    @WithDefault("1024")
    int maxBatch();

    /**
     * In a pod: end the process when the model file's digest does not match, with the reason in the
     * container's termination message, so Kubernetes (and the operator) see why it never became ready.
     */
    @WithDefault("false")
    boolean exitOnIntegrityFailure();

    /** Where Kubernetes reads a container's termination message. */
    @WithDefault("/dev/termination-log")
    String terminationLog();

    /** Concurrent predictors (DJL predictors are not thread-safe); 0 means one per CPU. */
    @WithDefault("0")
    int predictors();
}
