package io.robustml.controllers.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunRetentionTest {
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private static AdversarialTestRun run(String name, String phase, Duration ago) {
        AdversarialTestRun run = new AdversarialTestRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).build());
        run.setStatus(new AdversarialTestRunStatus());
        run.getStatus().phase = phase;
        run.getStatus().completionTime = ago == null ? null : NOW.minus(ago).toString();
        return run;
    }

    @Test
    void keepsTheNewestTheOpenAndTheOneThatPromotedWhatServes() {
        List<AdversarialTestRun> runs = List.of(
                run("m-a-a1", "Succeeded", Duration.ofHours(50)),   // promoted the stable revision a
                run("m-b-a1", "Succeeded", Duration.ofHours(40)),
                run("m-c-a1", "Failed", Duration.ofHours(30)),
                run("m-d-a1", "Succeeded", Duration.ofHours(20)),
                run("m-e-a1", "Succeeded", Duration.ofHours(10)),
                run("m-f-a1", "Running", null));                   // open
        RobustModelStatus status = new RobustModelStatus();
        status.stableRevision = "a";
        RobustModelStatus.RevisionRecord record = new RobustModelStatus.RevisionRecord();
        record.revision = "a";
        record.runName = "m-a-a1";
        status.history = List.of(record);
        status.analysis = new RobustModelStatus.AnalysisProgress();
        status.analysis.runName = "m-f-a1";

        assertThat(RunRetention.expired(runs, status, 2, Duration.ofDays(30), NOW)).containsExactly("m-c-a1", "m-b-a1");
        assertThat(RunRetention.expired(runs, status, 20, Duration.ofHours(25), NOW)).as("by age")
                .containsExactly("m-c-a1", "m-b-a1");
        assertThat(RunRetention.expired(runs, status, 20, Duration.ofDays(30), NOW)).isEmpty();
        assertThat(RunRetention.expired(runs, status, 1, Duration.ofMinutes(1), NOW)).as("never the open run or the promoting one")
                .containsExactly("m-e-a1", "m-d-a1", "m-c-a1", "m-b-a1");
    }

    /** A run whose Job died before the tester wrote a verdict has no completion time: it still goes, aged from creation. */
    @Test
    void aRunTheTesterNeverFinishedIsAgedFromItsCreation() {
        AdversarialTestRun dead = run("m-x-a1", "Running", null);
        dead.getMetadata().setCreationTimestamp(NOW.minus(Duration.ofHours(60)).toString());
        AdversarialTestRun open = run("m-y-a1", "Running", null);
        open.getMetadata().setCreationTimestamp(NOW.minus(Duration.ofHours(70)).toString());
        List<AdversarialTestRun> runs = List.of(dead, open, run("m-z-a1", "Succeeded", Duration.ofHours(1)));
        RobustModelStatus status = new RobustModelStatus();
        status.analysis = new RobustModelStatus.AnalysisProgress();
        status.analysis.runName = "m-y-a1";

        assertThat(RunRetention.expired(runs, status, 20, Duration.ofHours(48), NOW)).containsExactly("m-x-a1");
        assertThat(RunRetention.expired(runs, status, 1, Duration.ofDays(30), NOW)).as("beyond the newest one")
                .containsExactly("m-x-a1");
        assertThat(RunRetention.expired(runs, status, 20, Duration.ofDays(30), NOW)).isEmpty();
    }
}
