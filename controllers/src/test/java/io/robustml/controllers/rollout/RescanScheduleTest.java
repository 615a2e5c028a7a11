package io.robustml.controllers.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RescanScheduleTest {
    private static final Instant MON_1100 = Instant.parse("2026-12-07T11:00:00Z"); // a Monday

    @Test
    void theNextTimeIsStrictlyAfterAndInUtc() {
        assertThat(RescanSchedule.parse("0 3 * * *").next(MON_1100)).contains(Instant.parse("2026-12-08T03:00:00Z"));
        assertThat(RescanSchedule.parse("*/5 * * * *").next(MON_1100)).contains(Instant.parse("2026-12-07T11:05:00Z"));
        assertThat(RescanSchedule.parse("0 11 * * *").next(MON_1100)).as("not the same instant")
                .contains(Instant.parse("2026-12-08T11:00:00Z"));
        assertThat(RescanSchedule.parse("30 2 * * sat").next(MON_1100)).contains(Instant.parse("2026-12-12T02:30:00Z"));
        assertThat(RescanSchedule.parse("0 0 * * 7").next(MON_1100)).as("7 is Sunday, as in a CronJob")
                .contains(Instant.parse("2026-12-13T00:00:00Z"));
    }

    @Test
    void cronJobMacrosMeanWhatKubernetesMakesOfThem() {
        assertThat(RescanSchedule.parse("@hourly").next(MON_1100)).contains(Instant.parse("2026-12-07T12:00:00Z"));
        assertThat(RescanSchedule.parse("@daily").next(MON_1100)).contains(Instant.parse("2026-12-08T00:00:00Z"));
        assertThat(RescanSchedule.parse("@midnight").next(MON_1100)).contains(Instant.parse("2026-12-08T00:00:00Z"));
        assertThat(RescanSchedule.parse("@weekly").next(MON_1100)).contains(Instant.parse("2026-12-13T00:00:00Z"));
        assertThat(RescanSchedule.parse("@monthly").next(MON_1100)).contains(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(RescanSchedule.parse("@yearly").next(MON_1100)).contains(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(RescanSchedule.parse("@annually").next(MON_1100)).contains(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void aDateThatNeverComesIsNeverDueAndABackwardRangeIsRefused() {
        assertThat(RescanSchedule.parse("0 0 31 2 *").next(MON_1100)).isEmpty();
        assertThatThrownBy(() -> RescanSchedule.parse("5-2 * * * *")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.rollout.rescan.schedule").hasMessageContaining("5-2 * * * *");
    }

    @Test
    void everyScheduleTheCrdPatternAcceptsHereIsParsed() {
        for (String s : new String[] {"*/5 * * * *", "0 3 * * *", "0 0 1 JAN-MAR *", "30 2 * * mon-fri", "0,30 8-18/2 1,15 */3 7",
                "00 03 * * 0-6/2", "*/59 */23 */31 */12 */7"}) {
            assertThat(s).matches(io.robustml.crds.Cron.PATTERN);
            assertThat(RescanSchedule.parse(s).next(MON_1100)).as(s).isPresent();
        }
        for (String s : new String[] {"61 * * * *", "*/90 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8", "0 3 * *",
                "@often"}) {
            assertThat(s).doesNotMatch(io.robustml.crds.Cron.PATTERN);
        }
    }
}
