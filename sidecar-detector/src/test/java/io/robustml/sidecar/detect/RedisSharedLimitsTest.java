package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.robustml.sidecar.config.ClientLimits;
import io.robustml.sidecar.proxy.ClientLimiter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Rate windows and daily quotas counted in a real Redis are shared by the replicas of one model. */
class RedisSharedLimitsTest {
    private static final io.vertx.core.Vertx VERTX = io.vertx.core.Vertx.vertx();
    @Test
    void twoReplicasShareOneClientsLimitAndQuota() {
        try (RedisServer redis = RedisServer.start(Path.of("target/redis-limits-test.log"))) {
            RedisFingerprintStore a = new RedisFingerprintStore(VERTX, "127.0.0.1:" + redis.port(), 1000, "fashion", 100, 60_000, 200, 2);
            RedisFingerprintStore b = new RedisFingerprintStore(VERTX, "127.0.0.1:" + redis.port(), 1000, "fashion", 100, 60_000, 200, 2);
            RedisFingerprintStore other = new RedisFingerprintStore(VERTX, "127.0.0.1:" + redis.port(), 1000, "other", 100, 60_000, 200, 2);
            ClientLimiter.SharedCounters ra = a::increment;
            ClientLimiter.SharedCounters rb = b::increment;
            long now = System.currentTimeMillis();
            long minuteStart = now - now % 60_000 + 60_000; // a fresh window
            ClientLimits rate = ClientLimits.of(20, 5, 0);
            int allowed = 0;
            for (int i = 0; i < 40; i++) { // alternate replicas, as a round-robin Service would
                allowed += ClientLimiter.tryAcquireShared(i % 2 == 0 ? ra : rb, "team-a", rate, 1, minuteStart)
                        instanceof ClientLimiter.Allowed ? 1 : 0;
            }
            assertThat(allowed).as("20 a minute over both replicas together").isEqualTo(20);
            assertThat(ClientLimiter.tryAcquireShared(other::increment, "team-a", rate, 1, minuteStart)).as("another model counts apart")
                    .isInstanceOf(ClientLimiter.Allowed.class);
            ClientLimits quota = ClientLimits.of(0, 0, 7);
            int served = 0;
            for (int i = 0; i < 12; i++) {
                served += ClientLimiter.tryAcquireShared(i % 2 == 0 ? ra : rb, "team-q", quota, 1, now) instanceof ClientLimiter.Allowed ? 1
                        : 0;
            }
            assertThat(served).isEqualTo(7);
            assertThat(ClientLimiter.tryAcquireShared(rb, "team-q", quota, 1, now)).isInstanceOf(ClientLimiter.QuotaExhausted.class);
            ClientLimits rows = ClientLimits.of(0, 0, 100); // a batch costs its rows, on the real Redis too (INCRBY)
            assertThat(ClientLimiter.tryAcquireShared(ra, "team-r", rows, 64, now)).isInstanceOf(ClientLimiter.Allowed.class);
            assertThat(ClientLimiter.tryAcquireShared(rb, "team-r", rows, 64, now)).isInstanceOf(ClientLimiter.QuotaExhausted.class);
            assertThat(ClientLimiter.tryAcquireShared(rb, "team-r", rows, 1, now)).as("64 + 64 counted, past 100")
                    .isInstanceOf(ClientLimiter.QuotaExhausted.class);
            a.close();
            b.close();
            other.close();
        }
        // Redis gone: the call fails (the sidecar then counts a store error and decides with its own counts)
        RedisFingerprintStore gone = new RedisFingerprintStore(VERTX, "127.0.0.1:" + 1, 200, "fashion", 100, 60_000, 200, 2);
        assertThatThrownBy(() -> ClientLimiter.tryAcquireShared(gone::increment, "x", ClientLimits.of(1, 1, 0), 1, 0))
                .isInstanceOf(RuntimeException.class);
    }
}
