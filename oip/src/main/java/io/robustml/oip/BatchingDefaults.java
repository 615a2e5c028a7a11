package io.robustml.oip;

/**
 * The model server's dynamic batching defaults, in one place: the server's configuration takes them as
 * its defaults and the CRD's rules check the user's settings against them when a field is unset.
 */
public final class BatchingDefaults {
    /** Most rows one merged forward pass takes (text: annotations take it). */
    public static final String MAX_BATCH_SIZE = "64";

    private BatchingDefaults() {
    }
}
