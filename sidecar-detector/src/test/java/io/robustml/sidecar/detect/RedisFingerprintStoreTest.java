package io.robustml.sidecar.detect;

import io.robustml.oip.similarity.Fingerprints;
import io.robustml.oip.similarity.FingerprintStore;
import io.robustml.oip.similarity.FingerprintTable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared fingerprint table on a real redis-server: two replicas that each see every other query of
 * an attack flag it exactly as one in-memory table that sees all of them; capacity and age bound it.
 */
class RedisFingerprintStoreTest {
    private static final io.vertx.core.Vertx VERTX = io.vertx.core.Vertx.vertx();
    private static final int Q = io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_QUANTIZATION;
    private static final int W = io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_WINDOW_SIZE;
    private static final int TOP = DetectorSettings.TOP_HASHES;
    private static final int THRESHOLD = io.robustml.oip.detector.DetectorConfig.QuerySimilarity.DEFAULT_MATCH_THRESHOLD;
    private static RedisServer redis;
    private static LabelledImages test;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start(Path.of("target/redis-store-test.log"));
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 2000);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static RedisFingerprintStore replica(String model, int capacity, long ttlMillis) {
        return new RedisFingerprintStore(VERTX, "127.0.0.1:" + redis.port(), 1000, model, capacity, ttlMillis, 200, 4);
    }

    private static long[] fp(float[] x) {
        return Fingerprints.of(x, Q, W, TOP);
    }

    private static int matchAndAdd(FingerprintTable t, long[] h, long now) {
        int m = t.match(h, now);
        t.add(h, now);
        return m;
    }

    /** Square-like chains (as in QuerySimilarityTest) alternating between two replicas. */
    @Test
    void anAttackAlternatingBetweenTwoReplicasIsFlaggedAsOnOne() {
        int chains = 20;
        int[] shared = new int[chains];
        int[] single = new int[chains];
        int[] separate = new int[chains];
        long t0 = System.nanoTime();
        long calls = 0;
        for (int a = 0; a < chains; a++) {
            String model = "alternating-" + a;
            try (RedisFingerprintStore replicaA = replica(model, 100_000, 3_600_000);
                    RedisFingerprintStore replicaB = replica(model, 100_000, 3_600_000)) {
                FingerprintStore one = new FingerprintStore(100_000, Long.MAX_VALUE, 200);
                FingerprintStore podA = new FingerprintStore(100_000, Long.MAX_VALUE, 200);
                FingerprintStore podB = new FingerprintStore(100_000, Long.MAX_VALUE, 200);
                for (int i = 0; i < 200; i++) { // earlier clean traffic, spread over both replicas
                    long[] h = fp(test.images()[1000 + i]);
                    matchAndAdd(i % 2 == 0 ? replicaA : replicaB, h, i);
                    matchAndAdd(one, h, i);
                    matchAndAdd(i % 2 == 0 ? podA : podB, h, i);
                    calls += 2;
                }
                SplittableRandom random = new SplittableRandom(a);
                float[] x = test.images()[a];
                float[] current = new float[784];
                for (int w = 0; w < 28; w++) {
                    float d = random.nextBoolean() ? 0.1f : -0.1f;
                    for (int h = 0; h < 28; h++) {
                        current[h * 28 + w] = clip(x[h * 28 + w] + d);
                    }
                }
                shared[a] = single[a] = separate[a] = -1;
                for (int q = 1; q <= 40; q++) {
                    long[] h = fp(current);
                    boolean even = q % 2 == 0;
                    if (matchAndAdd(even ? replicaA : replicaB, h, 10_000 + q) >= THRESHOLD && shared[a] < 0) {
                        shared[a] = q;
                    }
                    if (matchAndAdd(one, h, 10_000 + q) >= THRESHOLD && single[a] < 0) {
                        single[a] = q;
                    }
                    if (matchAndAdd(even ? podA : podB, h, 10_000 + q) >= THRESHOLD && separate[a] < 0) {
                        separate[a] = q;
                    }
                    calls += 2;
                    int side = 3 + random.nextInt(6);
                    int top = random.nextInt(28 - side + 1);
                    int left = random.nextInt(28 - side + 1);
                    float d = random.nextBoolean() ? 0.1f : -0.1f;
                    current = current.clone();
                    for (int hh = top; hh < top + side; hh++) {
                        for (int w = left; w < left + side; w++) {
                            current[hh * 28 + w] = clip(x[hh * 28 + w] + d);
                        }
                    }
                }
            }
        }
        double micros = (System.nanoTime() - t0) / 1e3 / calls;
        System.out.printf("[redis-store] Square-like chains alternating over 2 replicas: first flag with Redis %s, "
                + "one in-memory table %s, two separate in-memory tables %s; %.0f us per Redis call (match or add, loopback, "
                + "includes hashing)%n", Arrays.toString(shared), Arrays.toString(single), Arrays.toString(separate), micros);
        assertThat(shared).as("the shared table decides exactly as one table that saw every query").isEqualTo(single);
        assertThat(shared).doesNotContain(-1);
    }

    @Test
    void capacityAndAgeBoundTheSharedTable() throws Exception {
        try (RedisFingerprintStore store = replica("bounded", 100, 3_600_000)) {
            for (int i = 0; i < 300; i++) {
                matchAndAdd(store, fp(test.images()[i]), i);
            }
            assertThat(store.size()).isEqualTo(100);
            assertThat(store.evictions()).isEqualTo(200);
            assertThat(store.match(fp(test.images()[10]), 0)).as("out of capacity: forgotten").isZero();
            assertThat(store.match(fp(test.images()[299]), 0)).as("among the newest 100").isEqualTo(TOP);
        }
        try (RedisFingerprintStore store = replica("aging", 1000, 300)) {
            long[] h = fp(test.images()[5]);
            store.add(h, 0);
            assertThat(store.match(h, 0)).isEqualTo(TOP);
            Thread.sleep(450);
            assertThat(store.match(h, 0)).as("older than the TTL: forgotten").isZero();
        }
        try (RedisFingerprintStore other = replica("another-model", 1000, 3_600_000)) {
            assertThat(other.match(fp(test.images()[299]), 0)).as("models do not share tables").isZero();
        }
    }

    @Test
    void anUnreachableRedisIsAnErrorTheSidecarCanCatch() {
        try (RedisFingerprintStore store = new RedisFingerprintStore(VERTX, "127.0.0.1:" + 1, 300, "m", 10, 1000, 200, 1)) {
            assertThatThrownBy(() -> store.match(fp(test.images()[0]), 0)).isInstanceOf(RedisFingerprintStore.StoreUnavailable.class)
                    .hasMessageContaining("redis://127.0.0.1:1");
        }
    }

    private static float clip(float v) {
        return Math.min(1f, Math.max(0f, v));
    }
}
