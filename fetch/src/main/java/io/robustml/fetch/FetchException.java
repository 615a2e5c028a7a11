package io.robustml.fetch;

import java.io.IOException;

/**
 * A remote file could not be fetched. The message names the source without credentials and is safe for
 * logs, the readiness answer and the termination message; no cause is kept, since a lower layer's
 * message may carry a full URL.
 */
public final class FetchException extends IOException {
    private final boolean retryable;

    FetchException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** A connection error, a cut-off body or an answer that says "later": another attempt may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
