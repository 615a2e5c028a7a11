package io.robustml.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.sidecar.proxy.ClientLimiter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientLimiterTest {
    private static final long DAY = 86_400_000L;

    @Test
    void limitsRatePerClientAndKeepsStateWhenNumbersDoNotChange() {
        ClientLimiter limiter = new ClientLimiter(100);
        ClientLimits limits = ClientLimits.of(60, 3, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("a", limits, 1, 0, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        }
        assertThat(limiter.tryAcquire("a", limits, 1, 0, 0)).isEqualTo(new ClientLimiter.RateLimited(1));
        assertThat(limiter.tryAcquire("b", limits, 1, 0, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        // a reload with the same numbers (a new but equal record) keeps the empty bucket
        assertThat(limiter.tryAcquire("a", ClientLimits.of(60, 3, 0), 1, 0, 0)).isInstanceOf(ClientLimiter.RateLimited.class);
        // one token a second
        assertThat(limiter.tryAcquire("a", limits, 1, 1_000_000_000L, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        // new numbers (a containment change): the bucket takes them, but what "a" spent stays spent
        assertThat(limiter.tryAcquire("a", ClientLimits.of(60, 5, 0), 1, 1_000_000_000L, 0)).isInstanceOf(ClientLimiter.RateLimited.class);
        assertThat(limiter.tryAcquire("a", ClientLimits.of(60, 5, 0), 1, 2_000_000_000L, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        assertThat(limiter.tryAcquire("a", ClientLimits.NONE, 1, 0, 0)).isInstanceOf(ClientLimiter.Allowed.class);
    }

    @Test
    void enforcesDailyQuotasThatResetAtUtcMidnight() {
        ClientLimiter limiter = new ClientLimiter(100);
        ClientLimits quota = ClientLimits.of(0, 0, 3);
        long noon = 20_000 * DAY + DAY / 2;
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("a", quota, 1, 0, noon)).isInstanceOf(ClientLimiter.Allowed.class);
        }
        assertThat(limiter.tryAcquire("a", quota, 1, 0, noon)).isEqualTo(new ClientLimiter.QuotaExhausted(3, 43_200));
        assertThat(limiter.tryAcquire("b", quota, 1, 0, noon)).isInstanceOf(ClientLimiter.Allowed.class);
        assertThat(limiter.tryAcquire("a", quota, 1, 0, noon + DAY / 2)).isInstanceOf(ClientLimiter.Allowed.class);
    }

    @Test
    void boundsTheClientsHeld() {
        ClientLimiter limiter = new ClientLimiter(1000);
        for (int i = 0; i < 100_000; i++) {
            limiter.tryAcquire("addr:" + i, ClientLimits.of(60, 1, 0), 1, 0, 0);
        }
        assertThat(limiter.clients()).isEqualTo(1000);
    }

    @Test
    void sharedCountersCountEveryReplicasRequests() {
        Map<String, Long> redis = new HashMap<>(); // the counting contract; RedisLimitsTest runs it on a real Redis
        ClientLimiter.SharedCounters store = (key, by, ttl) -> redis.merge(key, by, Long::sum);
        ClientLimits limits = ClientLimits.of(10, 2, 15);
        long t = 20_000 * DAY;
        int allowed = 0;
        for (int i = 0; i < 30; i++) {
            allowed += ClientLimiter.tryAcquireShared(store, "a", limits, 1, t) instanceof ClientLimiter.Allowed ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(10);
        assertThat(ClientLimiter.tryAcquireShared(store, "a", limits, 1, t + 60_000)).isInstanceOf(ClientLimiter.Allowed.class);
        for (int i = 0; i < 4; i++) {
            ClientLimiter.tryAcquireShared(store, "a", limits, 1, t + 60_000);
        }
        assertThat(ClientLimiter.tryAcquireShared(store, "a", limits, 1, t + 120_000))
                .isInstanceOf(ClientLimiter.QuotaExhausted.class);
    }

    @Test
    void aBatchCostsItsRowsInTokensAndQuota() {
        ClientLimiter limiter = new ClientLimiter(10);
        ClientLimits limits = ClientLimits.of(60, 10, 100); // 1 row/s, bursts of 10, 100 rows a day
        assertThat(limiter.tryAcquire("a", limits, 64, 0, 0)).as("64 rows never fit a burst of 10")
                .isEqualTo(new ClientLimiter.BatchTooLarge(64, 10));
        assertThat(limiter.tryAcquire("a", limits, 8, 0, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        assertThat(limiter.tryAcquire("a", limits, 3, 0, 0)).as("2 tokens left, 3 rows asked: 1 s to wait")
                .isEqualTo(new ClientLimiter.RateLimited(1));
        assertThat(limiter.tryAcquire("a", limits, 2, 0, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        long t = 0;
        int rows = 10;
        while (limiter.tryAcquire("a", limits, 10, t += 10_000_000_000L, 0) instanceof ClientLimiter.Allowed) {
            rows += 10;
        }
        assertThat(rows).as("the day's quota is counted in rows").isEqualTo(100);

        java.util.Map<String, Long> redis = new HashMap<>();
        ClientLimiter.SharedCounters store = (key, by, ttl) -> redis.merge(key, by, Long::sum);
        assertThat(ClientLimiter.tryAcquireShared(store, "b", ClientLimits.of(10, 2, 0), 64, 0))
                .isEqualTo(new ClientLimiter.BatchTooLarge(64, 10));
        assertThat(ClientLimiter.tryAcquireShared(store, "b", ClientLimits.of(10, 2, 0), 6, 0)).isInstanceOf(ClientLimiter.Allowed.class);
        assertThat(ClientLimiter.tryAcquireShared(store, "b", ClientLimits.of(10, 2, 0), 6, 0)).isInstanceOf(ClientLimiter.RateLimited.class);
    }
}
