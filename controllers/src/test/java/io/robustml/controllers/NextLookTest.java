package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.controllers.rollout.RolloutSettings;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NextLookTest {
    private static final Instant NOW = Instant.parse("2026-12-07T07:00:00Z");

    private static RolloutSettings deadline(int seconds) {
        return new RolloutSettings(null, 100, Duration.ofSeconds(900), 1, true, Duration.ofHours(168), "s",
                Duration.ofSeconds(seconds), false);
    }

    private static RobustModelStatus.AnalysisProgress awaitingPodsSince(Instant since) {
        RobustModelStatus.AnalysisProgress a = new RobustModelStatus.AnalysisProgress();
        a.progressingSince = since.toString();
        return a;
    }

    @Test
    void podsStillAwaitedAreLookedAtJustPastTheirDeadline() {
        assertThat(RobustModelReconciler.nextLook(awaitingPodsSince(NOW.minusSeconds(1)), deadline(3), NOW))
                .isEqualTo(Duration.ofMillis(2100));
        assertThat(RobustModelReconciler.nextLook(awaitingPodsSince(NOW.minusSeconds(10)), deadline(3), NOW))
                .as("past it already").isEqualTo(Duration.ofMillis(100));
        assertThat(RobustModelReconciler.nextLook(awaitingPodsSince(NOW), deadline(600), NOW))
                .as("far away: the usual poll").isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aStartedAnalysisIsPolledAsUsual() {
        RobustModelStatus.AnalysisProgress a = awaitingPodsSince(NOW);
        a.startedAt = NOW.toString();
        assertThat(RobustModelReconciler.nextLook(a, deadline(3), NOW)).isEqualTo(Duration.ofSeconds(15));
    }
}
