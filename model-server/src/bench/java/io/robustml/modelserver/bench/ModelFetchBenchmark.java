package io.robustml.modelserver.bench;

import io.robustml.fetch.FetchSettings;
import io.robustml.fetch.Fetcher;
import io.robustml.fetch.RetryPolicy;
import io.robustml.fetch.Sha256;
import io.robustml.fetch.SigV4;
import io.robustml.fetch.TestModelStore;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Download speed of a remote model: the fetcher (SigV4-signed GET from the signature-checking test
 * store over loopback, SHA-256 while streaming, written to the cache dir) next to two baselines from
 * the same run: the same GET read and discarded (what HTTP alone costs here) and SHA-256 over the
 * bytes in memory (what hashing alone costs).
 *
 * <p>Run: {@code ./mvnw -pl model-server -am -Pbench verify -Dtest=ModelFetchBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * (size with {@code -Dbench.mib=256}, rounds with {@code -Dbench.rounds=3}).
 */
class ModelFetchBenchmark {
    private static final int MIB = Integer.getInteger("bench.mib", 256);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    @TempDir
    Path cache;

    @Test
    void measure() throws Exception {
        byte[] model = new byte[MIB << 20];
        new Random(7).nextBytes(model);
        MessageDigest digest = Sha256.newDigest();
        String sha = HexFormat.of().formatHex(digest.digest(model));
        SigV4.Credentials keys = new SigV4.Credentials("AKIABENCHMARK0000001", "bench-secret", Optional.empty());
        try (TestModelStore store = new TestModelStore().s3(Map.of(keys.accessKeyId(), keys.secretAccessKey()), null,
                "us-east-1").file("/models/big.pt", model)) {
            FetchSettings settings = new FetchSettings(cache, Long.MAX_VALUE, Duration.ofSeconds(10),
                    Duration.ofSeconds(60), new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1)), false,
                    Optional.empty(), Optional.of(keys), "us-east-1", Optional.of(store.base()),
                    new FetchSettings.Caller("robustml-model-server", "cache", "maxBytes", "allowHttp"));
            Consumer<String> quiet = line -> { };
            double[] fetch = new double[ROUNDS];
            double[] raw = new double[ROUNDS];
            double[] hash = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                Files.deleteIfExists(cache.resolve(sha));
                long t0 = System.nanoTime();
                new Fetcher(settings, quiet, Clock.systemUTC()).fetch("model", "s3://models/big.pt", sha);
                fetch[r] = mibPerSecond(System.nanoTime() - t0);

                t0 = System.nanoTime();
                HttpURLConnection c = (HttpURLConnection) URI.create(store.base() + "/models/big.pt").toURL().openConnection();
                SigV4.sign("GET", URI.create(store.base() + "/models/big.pt"), Map.of(), keys, "us-east-1", "s3",
                        Clock.systemUTC().instant(), SigV4.UNSIGNED_PAYLOAD).headers().forEach(c::setRequestProperty);
                byte[] buffer = new byte[1 << 16];
                long read = 0;
                try (InputStream in = c.getInputStream()) {
                    for (int n; (n = in.read(buffer)) != -1; ) {
                        read += n;
                    }
                }
                raw[r] = mibPerSecond(System.nanoTime() - t0);
                if (read != model.length) {
                    throw new IllegalStateException("read " + read + " bytes");
                }

                t0 = System.nanoTime();
                Sha256.newDigest().digest(model);
                hash[r] = mibPerSecond(System.nanoTime() - t0);
            }
            System.out.printf("%nmodel fetch benchmark: %d MiB, %d rounds, %d CPUs, loopback%n", MIB, ROUNDS,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("%-44s %12s %12s%n", "", "median MiB/s", "best MiB/s");
            row("fetcher: signed GET + SHA-256 + cache write", fetch);
            row("baseline: same GET, bytes discarded", raw);
            row("baseline: SHA-256 in memory", hash);
        }
    }

    private static double mibPerSecond(long nanos) {
        return MIB / (nanos / 1e9);
    }

    private static void row(String name, double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        System.out.printf("%-44s %12.1f %12.1f%n", name, sorted[sorted.length / 2], sorted[sorted.length - 1]);
    }
}
