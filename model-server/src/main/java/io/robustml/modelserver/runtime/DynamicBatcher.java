package io.robustml.modelserver.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Merges concurrent requests into one forward pass (Triton's dynamic batcher, {@link BatchPolicy}) over
 * a fixed number of model instances (DJL predictors).
 *
 * <p>No dispatcher thread: the calling threads take turns. A request that finds an instance free runs
 * a batch itself — its own request and whatever else is queued — so a lone client pays no hand-off;
 * requests that arrive while every instance is busy queue, and the thread that frees an instance wakes
 * the oldest one to lead the next batch. Rows are concatenated in queue order and each request gets
 * exactly its own rows of the output back. A failed batch of several requests is run again one request at
 * a time, so one request's failure is never another's.
 */
public final class DynamicBatcher {
    /** One forward pass of a batch: data row-major, shape batch first. */
    @FunctionalInterface
    public interface Forward {
        Prediction run(float[] data, long[] shape) throws Exception;
    }

    private final Forward forward;
    private final BatchPolicy policy;
    private final IntConsumer batchRows;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrivals = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private int[] rows = new int[16];
    private int idle;

    /**
     * @param instances forward passes that may run at once (the predictor pool's size)
     * @param batchRows told the row count of every forward pass (a metric)
     */
    public DynamicBatcher(Forward forward, BatchPolicy policy, int instances, IntConsumer batchRows) {
        if (instances < 1) {
            throw new IllegalArgumentException("at least one instance, got " + instances);
        }
        this.forward = forward;
        this.policy = policy;
        this.idle = instances;
        this.batchRows = batchRows;
    }

    /** The prediction for these rows, computed alone or as part of a larger batch. */
    public Prediction infer(float[] data, long[] shape) throws Exception {
        Job job = new Job(data, shape, lock.newCondition());
        lock.lock();
        try {
            queue.addLast(job);
            arrivals.signal(); // a leader waiting out the queue delay counts it
            while (job.state != State.DONE) {
                if (job.state == State.QUEUED && idle > 0) {
                    idle--;
                    lead();
                } else {
                    job.wake.await();
                    if (job.state != State.QUEUED) {
                        passOn(); // woken to lead, but another leader took this request: let the next one lead
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        return job.outcome();
    }

    /** With the lock and an instance held: forms one batch, runs it without the lock, hands results back. */
    private void lead() throws InterruptedException {
        List<Job> batch;
        try {
            batch = collect();
        } catch (InterruptedException e) {
            idle++;
            passOn();
            throw e;
        }
        passOn(); // more queued than this batch takes and an instance free: another leader runs them in parallel
        lock.unlock();
        try {
            run(batch);
        } finally {
            lock.lock();
            idle++;
            for (Job j : batch) {
                j.state = State.DONE;
                j.wake.signal();
            }
            passOn();
        }
    }

    /** Wakes the oldest queued request to lead when an instance is free. */
    private void passOn() {
        Job head = queue.peekFirst();
        if (head != null && idle > 0) {
            head.wake.signal();
        }
    }

    private List<Job> collect() throws InterruptedException {
        while (true) {
            int queued = queue.size();
            if (queued == 0) {
                return List.of(); // another leader took them while this one waited for more
            }
            if (rows.length < queued) {
                rows = new int[Math.max(queued, rows.length * 2)];
            }
            int i = 0;
            for (Job j : queue) {
                rows[i++] = j.rows;
            }
            long waited = System.nanoTime() - queue.peekFirst().enqueued;
            int take = policy.take(rows, queued, waited);
            if (take > 0) {
                List<Job> batch = new ArrayList<>(take);
                for (int n = 0; n < take; n++) {
                    Job j = queue.pollFirst();
                    j.state = State.RUNNING;
                    batch.add(j);
                }
                return batch;
            }
            arrivals.awaitNanos(policy.maxQueueDelayNanos() - waited);
        }
    }

    /** Runs the batch and stores each request's rows of the output (or its error) in its job. */
    private void run(List<Job> batch) {
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() == 1) {
            runAlone(batch.get(0));
            return;
        }
        int total = 0;
        for (Job j : batch) {
            total += j.rows;
        }
        Job first = batch.get(0);
        int perRow = first.data.length / first.rows;
        float[] data = new float[total * perRow];
        int offset = 0;
        for (Job j : batch) {
            System.arraycopy(j.data, 0, data, offset, j.data.length);
            offset += j.data.length;
        }
        long[] shape = first.shape.clone();
        shape[0] = total;
        Prediction merged;
        try {
            batchRows.accept(total);
            merged = forward.run(data, shape);
        } catch (Exception | Error e) {
            batch.forEach(this::runAlone); // one request's failure is never another's
            return;
        }
        int outPerRow = merged.logits().length / total;
        int row = 0;
        for (Job j : batch) {
            long[] outShape = merged.shape().clone();
            outShape[0] = j.rows;
            j.result = new Prediction(Arrays.copyOfRange(merged.logits(), row * outPerRow, (row + j.rows) * outPerRow),
                    outShape);
            row += j.rows;
        }
    }

    private void runAlone(Job j) {
        try {
            batchRows.accept(j.rows);
            j.result = forward.run(j.data, j.shape);
        } catch (Exception | Error e) {
            j.error = e;
        }
    }

    private enum State {
        QUEUED, RUNNING, DONE
    }

    private static final class Job {
        final float[] data;
        final long[] shape;
        final int rows;
        final long enqueued = System.nanoTime();
        final Condition wake;
        State state = State.QUEUED;
        Prediction result;
        Throwable error;

        Job(float[] data, long[] shape, Condition wake) {
            this.data = data;
            this.shape = shape;
            this.rows = Math.toIntExact(shape[0]);
            this.wake = wake;
        }

        Prediction outcome() throws Exception {
            if (error instanceof Exception e) {
                throw e;
            }
            if (error instanceof Error e) {
                throw e;
            }
            return result;
        }
    }

    /** Requests waiting for an instance (tests check that none is left behind). */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }
}
