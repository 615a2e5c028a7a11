package io.robustml.controllers.guard;

import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RolloutSpec.GuardSpec;
import java.util.Collection;
import java.util.Optional;

/**
 * The alert rate a revision normally has, against which burn rates are measured: the spec's, else the clean
 * false-positive rate its analysis measured through its sidecar (at least {@link GuardSpec#MIN_BASELINE_RATE}),
 * else {@link GuardSpec#DEFAULT_BASELINE_RATE}.
 */
public record Baseline(double rate, String source) {
    private static final String ANALYSIS = "analysis ";

    public static Baseline of(GuardSettings settings, RobustModelStatus status, Collection<AdversarialTestRun> runs) {
        if (settings.baselineRate().isPresent()) {
            return new Baseline(Math.max(settings.baselineRate().get(), GuardSpec.MIN_BASELINE_RATE), "spec");
        }
        return recorded(status).or(() -> measured(status, runs)).orElse(new Baseline(GuardSpec.DEFAULT_BASELINE_RATE, "default"));
    }

    /** A measured baseline already recorded for the serving revision stands: its run may since have aged out. */
    private static Optional<Baseline> recorded(RobustModelStatus status) {
        var g = status.guard;
        return g != null && status.stableRevision != null && status.stableRevision.equals(g.revision) && g.baselineRate != null
                && g.baselineSource != null && g.baselineSource.startsWith(ANALYSIS)
                ? Optional.of(new Baseline(Double.parseDouble(g.baselineRate), g.baselineSource)) : Optional.empty();
    }

    private static Optional<Baseline> measured(RobustModelStatus status, Collection<AdversarialTestRun> runs) {
        if (status.stableRevision == null || status.history == null) {
            return Optional.empty();
        }
        Optional<String> run = status.history.stream()
                .filter(r -> status.stableRevision.equals(r.revision) && "Passed".equals(r.verdict) && r.runName != null)
                .map(r -> r.runName).findFirst();
        return run.flatMap(name -> runs.stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst())
                .filter(r -> r.getStatus() != null && r.getStatus().detector != null && r.getStatus().detector.falsePositiveRate() != null)
                .map(r -> new Baseline(Math.max(r.getStatus().detector.falsePositiveRate(), GuardSpec.MIN_BASELINE_RATE),
                        ANALYSIS + r.getMetadata().getName()));
    }
}
