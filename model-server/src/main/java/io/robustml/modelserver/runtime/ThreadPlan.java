package io.robustml.modelserver.runtime;

/**
 * How the server's CPUs are shared between model instances (DJL predictors, each running one forward pass
 * at a time) and the engine's own threads inside one pass, chosen together so that instances × intra-op
 * threads never exceeds the CPUs the container may use. libtorch and ONNX Runtime would otherwise start
 * one thread per core of the node — whatever the pod's CPU limit — in every instance.
 *
 * @param instances forward passes at once
 * @param intraOpThreads threads inside one operator (libtorch {@code num_threads}, ORT {@code intraOpNumThreads})
 * @param interOpThreads threads running independent operators of one graph in parallel
 */
public record ThreadPlan(int instances, int intraOpThreads, int interOpThreads) {
    /**
     * @param cpus CPUs this process may use ({@link Runtime#availableProcessors()}: the JVM reads the
     *     container's cgroup CPU quota and cpuset)
     * @param instances configured instances, 0 for one per CPU
     * @param intraOpThreads configured intra-op threads, 0 for the CPUs left to each instance
     */
    public static ThreadPlan of(int cpus, int instances, int intraOpThreads) {
        int n = instances > 0 ? instances : Math.max(1, cpus);
        int intra = intraOpThreads > 0 ? intraOpThreads : Math.max(1, cpus / n);
        return new ThreadPlan(n, intra, 1);
    }
}
