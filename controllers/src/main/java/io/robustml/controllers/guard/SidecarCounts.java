package io.robustml.controllers.guard;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One sidecar's client request counters as the guard reads them: all requests, and those a detector or a
 * limit acted on. The analysis' own requests are counted apart by the sidecar and never appear here.
 */
public record SidecarCounts(long alerts, long requests) {
    public static final SidecarCounts ZERO = new SidecarCounts(0, 0);
    /** Outcomes of robustml_sidecar_requests_total that are alerts; the rest are normal answers or errors. */
    public static final Set<String> ALERT_OUTCOMES = Set.of("flagged", "blocked", "fallback", "rate_limited", "quota_exhausted");
    private static final Pattern SAMPLE = Pattern.compile("^robustml_sidecar_requests_total\\{([^}]*)}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern OUTCOME = Pattern.compile("(?:^|,)\\s*outcome=\"([^\"]*)\"");

    /** From the sidecar's Prometheus text exposition (its /metrics). */
    public static SidecarCounts parse(String exposition) {
        long alerts = 0;
        long requests = 0;
        Matcher sample = SAMPLE.matcher(exposition);
        while (sample.find()) {
            Matcher outcome = OUTCOME.matcher(sample.group(1));
            long value;
            try {
                value = Math.round(Double.parseDouble(sample.group(2)));
            } catch (NumberFormatException e) {
                continue;
            }
            requests += value;
            if (outcome.find() && ALERT_OUTCOMES.contains(outcome.group(1))) {
                alerts += value;
            }
        }
        return new SidecarCounts(alerts, requests);
    }

    public SidecarCounts plus(SidecarCounts other) {
        return new SidecarCounts(alerts + other.alerts, requests + other.requests);
    }

    /** The increase from {@code earlier} to this, taking a smaller value as a counter reset (a restarted sidecar). */
    public SidecarCounts since(SidecarCounts earlier) {
        return new SidecarCounts(alerts >= earlier.alerts ? alerts - earlier.alerts : alerts,
                requests >= earlier.requests ? requests - earlier.requests : requests);
    }

    /** Alerts over requests; 0 without requests. */
    public double rate() {
        return requests == 0 ? 0 : (double) alerts / requests;
    }
}
