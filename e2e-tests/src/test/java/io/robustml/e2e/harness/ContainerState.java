package io.robustml.e2e.harness;

import java.time.Instant;

/**
 * What one container's process is doing, as kubelet would report it.
 *
 * @param phase      waiting, running or terminated
 * @param reason     for waiting/terminated (e.g. CrashLoopBackOff, Error, Completed)
 * @param message    the termination message, or why it waits
 * @param exitCode   when terminated
 * @param lastTerminated the previous run's end, after a restart (null before)
 */
record ContainerState(String name, String image, Phase phase, boolean ready, int restarts, String reason, String message,
        Integer exitCode, Instant startedAt, Instant finishedAt, ContainerState lastTerminated) {

    enum Phase { WAITING, RUNNING, TERMINATED }

    static ContainerState waiting(String name, String image, String reason) {
        return new ContainerState(name, image, Phase.WAITING, false, 0, reason, null, null, null, null, null);
    }
}
