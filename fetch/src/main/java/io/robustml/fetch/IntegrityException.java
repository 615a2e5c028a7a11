package io.robustml.fetch;

/** A file is not the one the spec names (or the spec's digest is malformed): never retried, never used. */
public final class IntegrityException extends RuntimeException {
    public IntegrityException(String message) {
        super(message);
    }

    static IntegrityException mismatch(String subject, String actual, String expected) {
        return new IntegrityException(subject + " has sha256 " + actual + " but the spec requires " + expected
                + "; refusing to use it");
    }
}
