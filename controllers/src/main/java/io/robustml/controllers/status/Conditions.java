package io.robustml.controllers.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Condition list helpers following the Kubernetes API conventions. */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    /** The latest verdict's run warned that its numbers may overstate robustness (e.g. gradient masking). */
    public static final String ROBUSTNESS_WARNING = Reasons.ROBUSTNESS_WARNING;

    private Conditions() {
    }

    /**
     * Returns a copy of {@code existing} with {@code type} set. lastTransitionTime moves only when the
     * status flips, as the conventions ask; reason, message and observedGeneration always update.
     */
    public static List<Condition> set(List<Condition> existing, String type, boolean status, String reason,
            String message, long observedGeneration, Instant now) {
        String statusText = status ? "True" : "False";
        List<Condition> result = new ArrayList<>();
        boolean found = false;
        for (Condition c : existing == null ? List.<Condition>of() : existing) {
            if (!type.equals(c.getType())) {
                result.add(c);
                continue;
            }
            found = true;
            String transition = Objects.equals(c.getStatus(), statusText) && c.getLastTransitionTime() != null
                    ? c.getLastTransitionTime() : timestamp(now);
            result.add(build(type, statusText, reason, message, observedGeneration, transition));
        }
        if (!found) {
            result.add(build(type, statusText, reason, message, observedGeneration, timestamp(now)));
        }
        return result;
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    private static Condition build(String type, String status, String reason, String message, long generation,
            String transition) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(transition).build();
    }

    private static String timestamp(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
