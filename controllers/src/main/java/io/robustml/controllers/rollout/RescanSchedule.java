package io.robustml.controllers.rollout;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;

/**
 * rollout.rescan.schedule (CronJob syntax, UTC): when the stable revision is next analysed again. The CRD's
 * pattern has checked each field; a schedule it cannot check (a range written backwards) is refused here.
 */
public final class RescanSchedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** CronJob's macros, as Kubernetes expands them (cron-utils' Unix definition has none). */
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private final String expression;
    private final ExecutionTime times;

    private RescanSchedule(String expression, ExecutionTime times) {
        this.expression = expression;
        this.times = times;
    }

    /** The schedule, or IllegalArgumentException saying what is wrong with it. */
    public static RescanSchedule parse(String expression) {
        String cron = MACROS.getOrDefault(expression.strip(), expression.strip());
        try {
            return new RescanSchedule(expression, ExecutionTime.forCron(PARSER.parse(cron)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.rollout.rescan.schedule \"" + expression + "\": " + e.getMessage(), e);
        }
    }

    /** The first scheduled time strictly after {@code after}; empty for a date that never comes ("0 0 31 2 *"). */
    public Optional<Instant> next(Instant after) {
        return times.nextExecution(after.atZone(ZoneOffset.UTC)).map(t -> t.toInstant());
    }

    @Override
    public String toString() {
        return expression;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RescanSchedule other && expression.equals(other.expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }
}
