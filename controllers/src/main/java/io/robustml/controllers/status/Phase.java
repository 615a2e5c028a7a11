package io.robustml.controllers.status;

/**
 * {@code status.phase} of a RobustModel: the one word {@code kubectl get robustmodels} shows (the
 * conditions say why). Written as {@link #wire()}.
 */
public enum Phase {
    /** A canary is starting or under analysis, or the first revision is. */
    PROGRESSING("Progressing"),
    /** A revision that passed its analysis serves, nothing in progress. */
    READY("Ready"),
    /** A revision passed once, but its pods do not serve now. */
    PENDING("Pending"),
    /** The spec names a rejected revision (rolled back) or a failed canary waits for a decision; stable serves. */
    DEGRADED("Degraded"),
    /** The first revision was rejected: nothing serves. */
    FAILED("Failed");

    private final String wire;

    Phase(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Whether {@code phase} (as written in a status) is this one. */
    public boolean is(String phase) {
        return wire.equals(phase);
    }
}
