package io.robustml.modelserver.runtime;

/** Where the model is in its life: readiness answers from this. */
public record ModelState(Phase phase, String message) {
    public enum Phase { LOADING, READY, FAILED }

    public boolean isReady() {
        return phase == Phase.READY;
    }
}
