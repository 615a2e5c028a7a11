package io.robustml.crds;

/**
 * A schedule in the syntax of a Kubernetes CronJob's {@code schedule}: five fields (minute, hour, day of
 * month, month, day of week; numbers, {@code *}, ranges, lists, steps, and month and weekday names) or
 * one of the macros {@code @hourly}, {@code @daily}, {@code @midnight}, {@code @weekly}, {@code @monthly},
 * {@code @yearly}, {@code @annually}. The pattern checks each field's values and steps, so the API server
 * refuses "61 * * * *" or a step of 90 minutes with the field's path; what it cannot check (a range written backwards,
 * "5-2 * * * *") the operator reports. Times are UTC.
 */
public final class Cron {
    private static final String MINUTE = "[0-5]?[0-9]";
    private static final String HOUR = "([01]?[0-9]|2[0-3])";
    private static final String DAY = "(0?[1-9]|[12][0-9]|3[01])";
    private static final String MONTH = "(0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))";
    private static final String WEEKDAY = "([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat))";

    public static final String PATTERN = "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|"
            + "(\\*|" + MINUTE + "(-" + MINUTE + ")?)(/([1-9]|[1-5][0-9]))?(,(\\*|" + MINUTE + "(-" + MINUTE + ")?)(/([1-9]|[1-5][0-9]))?)* +"
            + "(\\*|" + HOUR + "(-" + HOUR + ")?)(/([1-9]|1[0-9]|2[0-3]))?(,(\\*|" + HOUR + "(-" + HOUR + ")?)(/([1-9]|1[0-9]|2[0-3]))?)* +"
            + "(\\*|" + DAY + "(-" + DAY + ")?)(/([1-9]|[12][0-9]|3[01]))?(,(\\*|" + DAY + "(-" + DAY + ")?)(/([1-9]|[12][0-9]|3[01]))?)* +"
            + "(\\*|" + MONTH + "(-" + MONTH + ")?)(/([1-9]|1[0-2]))?(,(\\*|" + MONTH + "(-" + MONTH + ")?)(/([1-9]|1[0-2]))?)* +"
            + "(\\*|" + WEEKDAY + "(-" + WEEKDAY + ")?)(/[1-7])?(,(\\*|" + WEEKDAY + "(-" + WEEKDAY + ")?)(/[1-7])?)*)$";

    private Cron() {
    }
}
