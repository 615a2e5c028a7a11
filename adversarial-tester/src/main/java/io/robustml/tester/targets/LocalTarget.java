package io.robustml.tester.targets;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.tester.attack.WhiteBoxModel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model file queried in-process: for tests and benchmarks of black-box attacks without HTTP, and
 * to separate model time from transport time. Never flags anything (there is no sidecar).
 */
public final class LocalTarget implements Target {
    private final WhiteBoxModel model;
    private final long[] exampleShape;
    private final AtomicLong queries = new AtomicLong();
    private long modelNanos;

    public LocalTarget(WhiteBoxModel model, long[] exampleShape) {
        this.model = model;
        this.exampleShape = exampleShape.clone();
    }

    @Override
    public Answer classify(float[][] inputs) {
        long t0 = System.nanoTime();
        try (NDManager m = model.newManager()) {
            NDArray logits = model.logits(m.create(Batches.flatten(inputs), Batches.shape(inputs.length, exampleShape)));
            float[] flat = logits.toFloatArray();
            int classes = (int) (flat.length / inputs.length);
            queries.addAndGet(inputs.length);
            return new Answer(Batches.rows(flat, inputs.length, classes), null);
        } finally {
            modelNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public long queries() {
        return queries.get();
    }

    public long modelNanos() {
        return modelNanos;
    }

}
