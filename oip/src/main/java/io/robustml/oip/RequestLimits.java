package io.robustml.oip;

/**
 * The one request-size contract of a serving pod: the sidecar and the model server accept the same
 * largest body ({@code robustml.max-body-bytes}, env {@code ROBUSTML_MAX_BODY_BYTES}), which the
 * operator sizes so that the model server's largest batch fits as JSON.
 */
public final class RequestLimits {
    /** The model server's largest {@code shape[0]} when the pod names none (text: annotations take it). */
    public static final String DEFAULT_MAX_BATCH = "1024";
    /** Body limit when the operator sets none: a batch of 1024 Fashion-MNIST images as JSON fits. */
    public static final String DEFAULT_MAX_BODY_BYTES = "33554432";
    /** The configuration property both apps read. */
    public static final String MAX_BODY_BYTES_PROPERTY = "robustml.max-body-bytes";
    /**
     * Bytes a JSON number may take with its separator: {@code -1.2345678E-10, } is 16; Python's
     * {@code repr} of a double up to 24 with brackets of nested rows. Generous so that no valid batch is refused.
     */
    static final int JSON_BYTES_PER_ELEMENT = 32;
    /** Room for names, shape, parameters and outputs requested. */
    static final long ENVELOPE_BYTES = 1 << 20;

    private RequestLimits() {
    }

    /**
     * Largest body either app accepts, whatever the shape: Quarkus' own limit is set just above it
     * ({@code quarkus.http.limits.max-body-size=2047M}) so that ours, with its JSON error, always decides first.
     */
    public static final long MAX_BODY_BYTES_CAP = 2046L << 20;

    /**
     * The body limit that fits {@code maxBatch} rows of the given row shape as JSON: never below the
     * default, never above {@link #MAX_BODY_BYTES_CAP} (a shape that large cannot travel as JSON anyway).
     */
    public static long maxBodyBytes(java.util.List<? extends Number> rowShape, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
        }
        double needed = (double) maxBatch * JSON_BYTES_PER_ELEMENT;
        for (Number d : rowShape) {
            if (d.longValue() < 1) {
                throw new IllegalArgumentException("every dimension must be positive, got " + rowShape);
            }
            needed *= d.longValue();
        }
        needed += ENVELOPE_BYTES; // in double: a product of four 65536s does not wrap, it only grows
        return (long) Math.min(MAX_BODY_BYTES_CAP, Math.max(Long.parseLong(DEFAULT_MAX_BODY_BYTES), needed));
    }
}
