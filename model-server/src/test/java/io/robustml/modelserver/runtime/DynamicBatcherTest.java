package io.robustml.modelserver.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.robustml.modelserver.Fixtures;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dynamic batcher in front of the real standard model: concurrent clients' requests are merged
 * into shared forward passes, and every client gets exactly its own rows back.
 */
class DynamicBatcherTest {
    private static final long[] ROW = {1, 28, 28};
    private static DjlModel model;
    private static LabelledImages images;

    @BeforeAll
    static void load() throws Exception {
        model = DjlModel.load(Fixtures.MODELS.resolve("fashion-standard.pt"), "torchscript", new ThreadPlan(2, 1, 1));
        images = Fixtures.testSet(64);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Rows {@code first..first+n-1} of the test set as one request. */
    private static float[] rows(int first, int n) {
        float[] data = new float[n * 784];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.images()[(first + i) % images.count()], 0, data, i * 784, 784);
        }
        return data;
    }

    private static long[] shape(int n) {
        return new long[] {n, ROW[0], ROW[1], ROW[2]};
    }

    @Test
    void concurrentClientsShareForwardPassesAndEachGetsExactlyItsOwnRows() throws Exception {
        ConcurrentLinkedQueue<Integer> rowsPerPass = new ConcurrentLinkedQueue<>();
        // The forward pass is the real model's; a short pause makes the others queue behind it, as they do
        // behind a busy model, so merges happen on every run rather than by the scheduler's luck.
        DynamicBatcher batcher = new DynamicBatcher((data, shape) -> {
            Thread.sleep(2);
            return model.predict(data, shape);
        }, new BatchPolicy(32, List.of(), 0), 1, rowsPerPass::add);
        int clients = 16;
        int requestsEach = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                start.await();
                List<String> mismatches = new ArrayList<>();
                for (int r = 0; r < requestsEach; r++) {
                    int first = (client * 7 + r * 3) % 64;
                    int n = 1 + (client + r) % 3;
                    Prediction merged = batcher.infer(rows(first, n), shape(n));
                    Prediction alone = model.predict(rows(first, n), shape(n));
                    if (!Arrays.equals(merged.shape(), alone.shape()) || !sameWithin(merged.logits(), alone.logits())
                            || !Arrays.equals(merged.argmax(), alone.argmax())) {
                        mismatches.add("client " + client + " request " + r);
                    }
                }
                return mismatches;
            }));
        }
        start.countDown();
        for (Future<List<String>> f : results) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isEmpty();
        }
        pool.shutdown();
        System.out.printf("[dynamic-batching] largest |merged - alone| logit difference: %g%n", LARGEST.get());
        int requests = clients * requestsEach;
        assertThat(rowsPerPass.stream().mapToInt(Integer::intValue).sum()).as("every row ran exactly once")
                .isEqualTo(sumOfRows(clients, requestsEach));
        assertThat(rowsPerPass.size()).as("forward passes for %d requests", requests).isLessThan(requests / 2);
        assertThat(rowsPerPass).allMatch(n -> n <= 32);
    }

    @Test
    void aRowSliceOfAMergedPassIsBitForBitTheMergedPassesRows() throws Exception {
        // libtorch may pick another convolution kernel for another batch size, so a merged pass can differ
        // from a lone one in the last bits (checked above within 1e-5); the split itself loses nothing.
        List<float[]> seen = new ArrayList<>();
        DynamicBatcher batcher = new DynamicBatcher((data, shape) -> {
            Prediction p = model.predict(data, shape);
            seen.add(p.logits());
            return p;
        }, new BatchPolicy(8, List.of(), TimeUnit.SECONDS.toNanos(5)), 1, n -> { });
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Future<Prediction> a = pool.submit(() -> batcher.infer(rows(0, 3), shape(3)));
        Future<Prediction> b = pool.submit(() -> batcher.infer(rows(10, 2), shape(2)));
        Future<Prediction> c = pool.submit(() -> batcher.infer(rows(20, 3), shape(3)));
        Prediction pa = a.get(30, TimeUnit.SECONDS);
        Prediction pb = b.get(30, TimeUnit.SECONDS);
        Prediction pc = c.get(30, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(seen).as("8 rows fill the batch: one forward pass, no waiting out the 5 s delay").hasSize(1);
        float[] merged = seen.get(0);
        int at = 0;
        // The merge is in arrival order, which the threads decide: find each request's rows in the merged pass.
        for (Prediction p : List.of(pa, pb, pc)) {
            assertThat(indexOf(merged, p.logits())).as("a request's rows are a contiguous slice of the pass").isNotNegative();
            at += p.logits().length;
        }
        assertThat(at).isEqualTo(merged.length);
        assertThat(pa.shape()).containsExactly(3, 10);
        assertThat(pb.shape()).containsExactly(2, 10);
    }

    @Test
    void aRequestThatFailsInAMergedPassFailsAloneAndTheOthersAreAnswered() throws Exception {
        DynamicBatcher batcher = new DynamicBatcher((data, shape) -> {
            for (float v : data) {
                if (v < 0) {
                    throw new IllegalStateException("negative pixel");
                }
            }
            return model.predict(data, shape);
        }, new BatchPolicy(8, List.of(4), TimeUnit.SECONDS.toNanos(5)), 1, n -> { });
        float[] bad = rows(0, 1);
        bad[5] = -1;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Prediction>> good = new ArrayList<>();
        Future<Prediction> failing = pool.submit(() -> batcher.infer(bad, shape(1)));
        for (int i = 1; i < 4; i++) {
            int first = i;
            good.add(pool.submit(() -> batcher.infer(rows(first, 1), shape(1))));
        }
        for (Future<Prediction> f : good) {
            assertThat(f.get(30, TimeUnit.SECONDS).shape()).containsExactly(1, 10);
        }
        assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS)).hasRootCauseMessage("negative pixel");
        pool.shutdown();
    }

    @Test
    void aLoneClientIsNeverDelayedAndLargeRequestsRunAlone() throws Exception {
        List<Integer> rowsPerPass = new ArrayList<>();
        DynamicBatcher batcher = new DynamicBatcher(model::predict, new BatchPolicy(4, List.of(), 0), 1,
                rowsPerPass::add);
        for (int n : new int[] {1, 2, 9, 1}) {
            Prediction p = batcher.infer(rows(0, n), shape(n));
            assertThat(p.logits()).containsExactly(model.predict(rows(0, n), shape(n)).logits());
        }
        assertThat(rowsPerPass).containsExactly(1, 2, 9, 1);
        assertThat(batcher.queued()).isZero();
    }

    private static int sumOfRows(int clients, int requestsEach) {
        int sum = 0;
        for (int c = 0; c < clients; c++) {
            for (int r = 0; r < requestsEach; r++) {
                sum += 1 + (c + r) % 3;
            }
        }
        return sum;
    }

    private static final java.util.concurrent.atomic.AtomicReference<Float> LARGEST = new java.util.concurrent.atomic.AtomicReference<>(0f);

    private static boolean sameWithin(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            float d = Math.abs(a[i] - b[i]);
            LARGEST.accumulateAndGet(d, Math::max);
            if (Math.abs(a[i] - b[i]) > 1e-5f * Math.max(1f, Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(float[] haystack, float[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
