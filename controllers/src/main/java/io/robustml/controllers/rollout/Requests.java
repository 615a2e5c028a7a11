package io.robustml.controllers.rollout;

import java.util.Map;

/**
 * What humans asked for through annotations. Each value is acted on once: the status remembers the
 * last value handled, so setting the same value again does nothing and a new value is a new request.
 */
public record Requests(String retry, String abort, String promote, String rescan) {
    public static final String RETRY = "robustml.io/retry";
    public static final String ABORT = "robustml.io/abort";
    public static final String PROMOTE = "robustml.io/promote";
    /** Analyse the stable revision again now, with the current suite (as a scheduled re-scan). */
    public static final String RESCAN = "robustml.io/rescan";

    public Requests(String retry, String abort, String promote) {
        this(retry, abort, promote, null);
    }

    public static Requests none() {
        return new Requests(null, null, null, null);
    }

    public static Requests from(Map<String, String> annotations) {
        if (annotations == null) {
            return none();
        }
        return new Requests(blankToNull(annotations.get(RETRY)), blankToNull(annotations.get(ABORT)),
                blankToNull(annotations.get(PROMOTE)), blankToNull(annotations.get(RESCAN)));
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
