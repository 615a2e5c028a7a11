package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** PRADA's state is bounded however many clients there are, and its test starts only past 100 distances. */
class PradaTest {

    @Test
    void aMillionDistinctClientsCannotExhaustMemory() {
        Prada prada = new Prada(0.9, 10_000, Long.MAX_VALUE, 4_000_000, 1000, 500);
        float[] row = new float[784];
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        long t0 = System.nanoTime();
        for (int i = 0; i < 1_000_000; i++) {
            row[i % 784] = (i % 255) / 255f;
            prada.observe("addr:10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), row.clone(), i % 10, i);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        System.out.printf("[prada] 1,000,000 distinct clients (cap 10,000 clients, 4M values): %d held, %d stored values, "
                + "%d evictions, heap growth %.1f MiB, %.2f s%n", prada.clients(), prada.storedValues(), prada.evictions(),
                (after - before) / 1048576.0, seconds);
        assertThat(prada.clients()).isLessThanOrEqualTo(10_000);
        assertThat(prada.storedValues()).isLessThanOrEqualTo(4_000_000);
        assertThat(prada.evictions()).isEqualTo(1_000_000 - prada.clients());
    }

    @Test
    void theValueBudgetEvictsTheLeastRecentlySeenClientAndTheTtlForgetsIdleOnes() {
        Prada prada = new Prada(0.9, 100, 1_000, 784 * 3, 1000, 500);
        float[] a = new float[784];
        prada.observe("old", a, 0, 0);
        prada.observe("mid", a, 0, 1);
        prada.observe("new", a, 0, 2);
        assertThat(prada.clients()).isEqualTo(3);
        prada.observe("old", a.clone(), 1, 3); // "old" is seen again: "mid" is now the least recent
        assertThat(prada.clients()).isEqualTo(2); // 4 rows over a 3-row budget: one client goes
        prada.observe("late", a, 0, 10_000); // everyone else idle for longer than the TTL
        assertThat(prada.clients()).isEqualTo(1);
    }

    @Test
    void clientsObservedInParallelEndAsIfObservedOneAfterAnother() throws Exception {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        LabelledImages test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 1200);
        int clients = 4;
        int perClient = 300;
        Prada sequential = new Prada(0.9, 100, Long.MAX_VALUE, Long.MAX_VALUE, 1000, 500);
        Prada.Verdict[] expected = new Prada.Verdict[clients];
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < perClient; i++) {
                int k = c * perClient + i;
                expected[c] = sequential.observe("c" + c, test.images()[k], test.labels()[k], k);
            }
        }
        Prada parallel = new Prada(0.9, 100, Long.MAX_VALUE, Long.MAX_VALUE, 1000, 500);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        java.util.List<java.util.concurrent.Future<Prada.Verdict>> last = new java.util.ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            last.add(pool.submit(() -> { // one thread per client, all at once
                Prada.Verdict v = null;
                for (int i = 0; i < perClient; i++) {
                    int k = client * perClient + i;
                    v = parallel.observe("c" + client, test.images()[k], test.labels()[k], k);
                }
                return v;
            }));
        }
        for (int c = 0; c < clients; c++) {
            assertThat(last.get(c).get()).as("client %d", c).isEqualTo(expected[c]);
        }
        pool.shutdown();
        assertThat(parallel.storedValues()).isEqualTo(sequential.storedValues());
        assertThat(parallel.observations()).isEqualTo((long) clients * perClient);
    }

    @Test
    void noVerdictBeforeMoreThanAHundredDistances() throws Exception {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        LabelledImages test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 300);
        Prada prada = new Prada(0.9, 10, Long.MAX_VALUE, Long.MAX_VALUE, 1000, 500);
        Prada.Verdict v = null;
        for (int i = 0; i < 100; i++) {
            v = prada.observe("c", test.images()[i], test.labels()[i], i);
            assertThat(v.w()).as("query %d", i).isNaN();
            assertThat(v.flagged()).isFalse();
        }
        for (int i = 100; i < 300; i++) {
            v = prada.observe("c", test.images()[i], test.labels()[i], i);
        }
        System.out.printf("[prada] 300 natural test images from one client: W %.4f over %d distances%n", v.w(), v.distances());
        assertThat(v.w()).isBetween(0.0, 1.0);
        assertThat(v.distances()).isGreaterThan(100);
    }
}
