package io.robustml.controllers;

import java.time.Duration;

/** The API's durations ("90s", "15m", "168h"; the CRD's pattern guarantees the form). */
public final class Durations {
    private Durations() {
    }

    public static Duration parse(String text) {
        long value = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(value);
            case 'm' -> Duration.ofMinutes(value);
            case 'h' -> Duration.ofHours(value);
            default -> throw new IllegalArgumentException("not a duration: " + text);
        };
    }
}
