package io.robustml.controllers.status;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Optional;

/**
 * Why serving pods cannot become ready, read from what the scheduler and the kubelet report, as a
 * pure function. Reasons: {@code ModelIntegrityFailed} (a container ended saying the model file's
 * digest did not match), {@code ModelFetchFailed} (it ended saying a remote model could not be
 * downloaded: wrong credentials, no such object, store unreachable), {@code ModelDeviceUnavailable} (it
 * ended saying the GPU it was given is not usable: a CPU-only libtorch, no driver), {@code InsufficientGPU}
 * (the scheduler found no node with the GPU resource),
 * {@code Unschedulable} (any other scheduling failure).
 */
public record ServingProblem(String reason, String message) {
    public static final String MODEL_INTEGRITY_FAILED = "ModelIntegrityFailed";
    public static final String MODEL_FETCH_FAILED = "ModelFetchFailed";
    public static final String MODEL_DEVICE_UNAVAILABLE = "ModelDeviceUnavailable";
    public static final String INSUFFICIENT_GPU = "InsufficientGPU";
    public static final String UNSCHEDULABLE = "Unschedulable";

    /**
     * @param gpuResource the extended resource the pods request (e.g. nvidia.com/gpu), or null
     * @param gpuPerPod   how many of it each pod requests
     */
    public static Optional<ServingProblem> diagnose(List<Pod> pods, String gpuResource, int gpuPerPod) {
        for (Pod pod : pods) {
            Optional<String> integrity = terminatedSaying(pod, MODEL_INTEGRITY_FAILED);
            if (integrity.isPresent()) {
                return Optional.of(new ServingProblem(MODEL_INTEGRITY_FAILED, "pod " + pod.getMetadata().getName()
                        + " refused the model file: " + integrity.get()));
            }
        }
        for (Pod pod : pods) {
            Optional<String> fetch = terminatedSaying(pod, MODEL_FETCH_FAILED);
            if (fetch.isPresent()) {
                return Optional.of(new ServingProblem(MODEL_FETCH_FAILED, "pod " + pod.getMetadata().getName()
                        + " could not download the model (the kubelet retries with its back-off): " + fetch.get()));
            }
        }
        for (Pod pod : pods) {
            Optional<String> device = terminatedSaying(pod, MODEL_DEVICE_UNAVAILABLE);
            if (device.isPresent()) {
                return Optional.of(new ServingProblem(MODEL_DEVICE_UNAVAILABLE, "pod " + pod.getMetadata().getName()
                        + " cannot run the model on the GPU it was given: " + device.get()));
            }
        }
        long unschedulable = 0;
        String schedulerMessage = null;
        for (Pod pod : pods) {
            Optional<PodCondition> scheduled = condition(pod, "PodScheduled");
            if (scheduled.isPresent() && "False".equals(scheduled.get().getStatus())
                    && "Unschedulable".equals(scheduled.get().getReason())) {
                unschedulable++;
                schedulerMessage = scheduled.get().getMessage();
            }
        }
        if (unschedulable == 0) {
            return Optional.empty();
        }
        String text = schedulerMessage == null ? "" : schedulerMessage;
        if (gpuResource != null && text.contains(gpuResource)) {
            return Optional.of(new ServingProblem(INSUFFICIENT_GPU, String.format(
                    "%d serving pod(s) cannot be scheduled: no node has %d free %s (scheduler: %s)",
                    unschedulable, gpuPerPod, gpuResource, text)));
        }
        return Optional.of(new ServingProblem(UNSCHEDULABLE,
                unschedulable + " serving pod(s) cannot be scheduled (scheduler: " + text + ")"));
    }

    /** A container's last words naming {@code reason}, from its current or previous termination. */
    private static Optional<String> terminatedSaying(Pod pod, String reason) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
            for (var state : new io.fabric8.kubernetes.api.model.ContainerState[] {c.getState(), c.getLastState()}) {
                if (state != null && state.getTerminated() != null && state.getTerminated().getMessage() != null
                        && state.getTerminated().getMessage().contains(reason)) {
                    return Optional.of(state.getTerminated().getMessage().trim());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<PodCondition> condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
