package io.robustml.controllers.rollout;

import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which finished analysis runs may go: beyond the newest {@code keep} finished runs of a model, or
 * finished longer than {@code maxAge} ago. Never an open run (the status still follows it), and never
 * the run that promoted the serving revision (its numbers are the baseline and the evidence). Every
 * other run is over, even without a completion time: only the tester writes that, so a run whose Job
 * died (evicted, OOM-killed, deadline) never gets one; it is aged from its creation.
 */
public final class RunRetention {
    private RunRetention() {
    }

    public static List<String> expired(Collection<AdversarialTestRun> runs, RobustModelStatus status, int keep,
            Duration maxAge, Instant now) {
        Set<String> protectedRuns = new HashSet<>();
        if (status != null && status.analysis != null) {
            protectedRuns.add(status.analysis.runName);
            protectedRuns.add(status.analysis.baselineRunName);
        }
        if (status != null && status.rescan != null) {
            protectedRuns.add(status.rescan.runName);
        }
        if (status != null && status.history != null && status.stableRevision != null) {
            status.history.stream().filter(r -> status.stableRevision.equals(r.revision)).map(r -> r.runName)
                    .filter(Objects::nonNull).forEach(protectedRuns::add);
        }
        List<AdversarialTestRun> finished = runs.stream()
                .filter(r -> !protectedRuns.contains(r.getMetadata().getName()) || completed(r))
                .sorted(Comparator.comparing((AdversarialTestRun r) -> finishedAt(r)).reversed()
                        .thenComparing(r -> r.getMetadata().getName()))
                .toList();
        List<String> expired = new ArrayList<>();
        for (int i = 0; i < finished.size(); i++) {
            AdversarialTestRun run = finished.get(i);
            String name = run.getMetadata().getName();
            boolean tooMany = i >= keep;
            boolean tooOld = Duration.between(finishedAt(run), now).compareTo(maxAge) > 0;
            if ((tooMany || tooOld) && !protectedRuns.contains(name)) {
                expired.add(name);
            }
        }
        return expired;
    }

    private static boolean completed(AdversarialTestRun run) {
        return run.getStatus() != null && run.getStatus().completionTime != null
                && ("Succeeded".equals(run.getStatus().phase) || "Failed".equals(run.getStatus().phase));
    }

    /** When the tester finished it; for a run it never finished, when it was created. */
    private static Instant finishedAt(AdversarialTestRun run) {
        try {
            return Instant.parse(completed(run) ? run.getStatus().completionTime : run.getMetadata().getCreationTimestamp());
        } catch (RuntimeException e) {
            return Instant.EPOCH; // unreadable: treat as oldest
        }
    }
}
