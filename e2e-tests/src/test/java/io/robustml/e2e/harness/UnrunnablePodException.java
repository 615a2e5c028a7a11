package io.robustml.e2e.harness;

/** A pod spec the real programs cannot run as written: the scenario that produced it must fail. */
public class UnrunnablePodException extends RuntimeException {
    public UnrunnablePodException(String message) {
        super(message);
    }
}
