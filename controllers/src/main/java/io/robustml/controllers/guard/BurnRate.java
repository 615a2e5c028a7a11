package io.robustml.controllers.guard;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The multi-window burn-rate rule (SRE workbook, "multiwindow, multi-burn-rate alerts") on the sidecars'
 * alert rate: a pair fires when the rate over its long window and over its short window both exceed
 * factor x baseline, and the short window holds at least minRequests requests. Pure.
 */
public final class BurnRate {
    private BurnRate() {
    }

    /** One pair's figures. */
    public record Pair(GuardSettings.Window window, SidecarCounts overLong, SidecarCounts overShort, boolean fires) {
        String describe(double baseline) {
            return String.format(Locale.ROOT, "%s: %d/%d and %d/%d requests alerted = %.1fx and %.1fx baseline (fires above %sx)",
                    window.label(), overLong.alerts(), overLong.requests(), overShort.alerts(), overShort.requests(),
                    overLong.rate() / baseline, overShort.rate() / baseline, trim(window.factor()));
        }
    }

    /** Every pair's figures against one baseline. */
    public record Evaluation(double baseline, List<Pair> pairs) {
        public boolean firing() {
            return pairs.stream().anyMatch(Pair::fires);
        }

        /** The firing pairs' figures, or every pair's when none fires. */
        public String describe() {
            List<Pair> shown = firing() ? pairs.stream().filter(Pair::fires).toList() : pairs;
            return shown.stream().map(p -> p.describe(baseline)).collect(Collectors.joining("; "))
                    + " (baseline " + trim(baseline) + ")";
        }
    }

    public static Evaluation evaluate(GuardSettings settings, CounterHistory history, double baseline, Instant now) {
        return new Evaluation(baseline, settings.windows().stream().map(w -> {
            SidecarCounts overLong = history.increase(w.longWindow(), now);
            SidecarCounts overShort = history.increase(w.shortWindow(), now);
            double bound = w.factor() * baseline;
            boolean fires = overShort.requests() >= settings.minRequests() && overLong.rate() > bound && overShort.rate() > bound;
            return new Pair(w, overLong, overShort, fires);
        }).toList());
    }

    static String trim(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
