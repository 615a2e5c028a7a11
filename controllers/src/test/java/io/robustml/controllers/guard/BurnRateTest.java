package io.robustml.controllers.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.crds.model.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BurnRateTest {
    static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    static GuardSettings settings(int minRequests, RolloutSpec.BurnWindow... windows) {
        return new GuardSettings(RolloutSpec.GuardAction.CONTAIN, List.of(windows).stream()
                .map(GuardSettings.Window::of).toList(), Optional.empty(), minRequests);
    }

    /** One pod answering {@code perStep} requests every 10 s, of which {@code alerts} alerted, for {@code steps} steps. */
    static void traffic(CounterHistory h, String pod, Instant from, int steps, long perStep, long alerts, SidecarCounts start) {
        SidecarCounts c = start;
        for (int i = 0; i <= steps; i++) {
            h.record(pod, from.plusSeconds(10L * i), c);
            c = c.plus(new SidecarCounts(alerts, perStep));
        }
    }

    @Test
    void increaseOverAWindowStartsAtTheLastSampleBeforeItAndCountsResets() {
        CounterHistory h = new CounterHistory("r1");
        h.record("a", T0, new SidecarCounts(0, 0));
        h.record("a", T0.plusSeconds(10), new SidecarCounts(1, 10));
        h.record("a", T0.plusSeconds(20), new SidecarCounts(3, 20));
        h.record("a", T0.plusSeconds(30), new SidecarCounts(1, 5)); // restarted sidecar
        h.record("b", T0.plusSeconds(25), new SidecarCounts(100, 1000)); // first read: a base, not an increase
        h.record("b", T0.plusSeconds(30), new SidecarCounts(101, 1010));
        Instant now = T0.plusSeconds(30);
        assertThat(h.increase(Duration.ofSeconds(15), now)).as("from a's sample at 10 s, b's first")
                .isEqualTo(new SidecarCounts(2 + 1 + 1, 10 + 5 + 10));
        assertThat(h.increase(Duration.ofMinutes(5), now)).as("longer than what was read: all of it")
                .isEqualTo(new SidecarCounts(1 + 2 + 1 + 1, 10 + 10 + 5 + 10));
        assertThat(h.covers(Duration.ofSeconds(30), now)).isTrue();
        assertThat(h.covers(Duration.ofSeconds(31), now)).isFalse();
        h.prune(now, Duration.ofSeconds(15));
        assertThat(h.increase(Duration.ofSeconds(15), now)).as("pruning keeps the base").isEqualTo(new SidecarCounts(4, 25));
        h.prune(now.plusSeconds(60), Duration.ofSeconds(15));
        assertThat(h.increase(Duration.ofSeconds(15), now)).as("pods not read for the window are forgotten")
                .isEqualTo(SidecarCounts.ZERO);
    }

    @Test
    void aPairFiresOnlyWhenBothWindowsBurnAndTheShortOneHoldsEnoughRequests() {
        GuardSettings s = settings(20, RolloutSpec.BurnWindow.of("2m", "30s", "5"));
        double baseline = 0.02; // fires above 0.1
        CounterHistory quiet = new CounterHistory("r1");
        traffic(quiet, "a", T0, 12, 10, 0, SidecarCounts.ZERO);
        assertThat(BurnRate.evaluate(s, quiet, baseline, T0.plusSeconds(120)).firing()).isFalse();

        // An attack in the last 30 s only: the short window burns, the long one (2 min) not enough.
        CounterHistory burst = new CounterHistory("r1");
        traffic(burst, "a", T0, 9, 10, 0, SidecarCounts.ZERO);
        traffic(burst, "a", T0.plusSeconds(100), 2, 10, 5, new SidecarCounts(0, 100));
        BurnRate.Evaluation e = BurnRate.evaluate(s, burst, baseline, T0.plusSeconds(120));
        assertThat(e.pairs().get(0).overShort().rate()).isGreaterThan(0.1);
        assertThat(e.pairs().get(0).overLong().rate()).isLessThan(0.1);
        assertThat(e.firing()).isFalse();

        // A sustained attack: both burn.
        CounterHistory sustained = new CounterHistory("r1");
        traffic(sustained, "a", T0, 12, 10, 3, SidecarCounts.ZERO);
        e = BurnRate.evaluate(s, sustained, baseline, T0.plusSeconds(120));
        assertThat(e.firing()).isTrue();
        assertThat(e.describe()).isEqualTo("2m/30s: 36/120 and 9/30 requests alerted = 15.0x and 15.0x baseline (fires above 5x)"
                + " (baseline 0.02)");

        // The same rates on too few requests: no evidence.
        CounterHistory thin = new CounterHistory("r1");
        traffic(thin, "a", T0, 12, 1, 1, SidecarCounts.ZERO);
        assertThat(BurnRate.evaluate(s, thin, baseline, T0.plusSeconds(120)).firing()).isFalse();
    }

    @Test
    void theDefaultsAreTheWorkbooksPagingPairsAndTheIntervalFollowsTheShortestWindow() {
        RolloutSpec.GuardSpec spec = new RolloutSpec.GuardSpec();
        io.robustml.crds.model.RobustModelSpec model = new io.robustml.crds.model.RobustModelSpec();
        model.rollout = new RolloutSpec();
        model.rollout.guard = spec;
        GuardSettings s = GuardSettings.of(model).orElseThrow();
        assertThat(s.action()).isEqualTo(RolloutSpec.GuardAction.ALERT);
        assertThat(s.minRequests()).isEqualTo(100);
        assertThat(s.windows()).extracting(GuardSettings.Window::label, GuardSettings.Window::factor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1h/5m", 14.4), org.assertj.core.groups.Tuple.tuple("6h/30m", 6.0));
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.longest()).isEqualTo(Duration.ofHours(6));
        assertThat(settings(1, RolloutSpec.BurnWindow.of("20s", "4s", "2")).interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings(1, RolloutSpec.BurnWindow.of("2m", "50s", "2")).interval()).isEqualTo(Duration.ofSeconds(10));
        model.rollout.guard = null;
        assertThat(GuardSettings.of(model)).isEmpty();
    }
}
