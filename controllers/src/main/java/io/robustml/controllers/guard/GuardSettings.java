package io.robustml.controllers.guard;

import io.robustml.controllers.Durations;
import io.robustml.crds.model.RobustModelSpec;
import io.robustml.crds.model.RolloutSpec;
import io.robustml.crds.model.RolloutSpec.GuardAction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** rollout.guard, read once with its defaults (declared in {@link RolloutSpec.GuardSpec}). */
public record GuardSettings(GuardAction action, List<Window> windows, Optional<Double> baselineRate, int minRequests) {
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofSeconds(30);

    /** One pair of the rule: fires when the alert rate over both windows exceeds factor x baseline. */
    public record Window(Duration longWindow, Duration shortWindow, double factor, String label) {
        static Window of(RolloutSpec.BurnWindow w) {
            return new Window(Durations.parse(w.longWindow), Durations.parse(w.shortWindow), Double.parseDouble(w.factor),
                    w.longWindow + "/" + w.shortWindow);
        }
    }

    public static Optional<GuardSettings> of(RobustModelSpec spec) {
        RolloutSpec.GuardSpec g = spec.rollout == null ? null : spec.rollout.guard;
        if (g == null) {
            return Optional.empty();
        }
        List<RolloutSpec.BurnWindow> windows = g.windows == null || g.windows.isEmpty() ? RolloutSpec.GuardSpec.DEFAULT_WINDOWS : g.windows;
        return Optional.of(new GuardSettings(g.action == null ? GuardAction.ALERT : g.action,
                windows.stream().map(Window::of).toList(),
                Optional.ofNullable(g.baselineRate).map(Double::parseDouble),
                g.minRequests == null ? Integer.parseInt(RolloutSpec.GuardSpec.DEFAULT_MIN_REQUESTS) : g.minRequests));
    }

    /** How often the sidecars are read: a fifth of the shortest window, between 1 s and 30 s. */
    public Duration interval() {
        Duration shortest = windows.stream().map(Window::shortWindow).min(Duration::compareTo).orElse(MAX_INTERVAL);
        Duration fifth = shortest.dividedBy(5);
        return fifth.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : fifth.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : fifth;
    }

    /** How much history the rule needs. */
    public Duration longest() {
        return windows.stream().map(Window::longWindow).max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
