package io.robustml.controllers.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The counters read from one revision's sidecars, per pod, over the guard's longest window: enough to give
 * the increase over any window the way Prometheus' {@code increase()} does (a smaller value is a reset).
 * Kept in the operator's memory: a restarted operator starts with empty windows, which fill as it reads.
 */
public final class CounterHistory {
    private record Sample(Instant at, SidecarCounts counts) {
    }

    private final String revision;
    private final Map<String, Deque<Sample>> pods = new HashMap<>();

    public CounterHistory(String revision) {
        this.revision = revision;
    }

    public String revision() {
        return revision;
    }

    public synchronized void record(String pod, Instant at, SidecarCounts counts) {
        pods.computeIfAbsent(pod, p -> new ArrayDeque<>()).addLast(new Sample(at, counts));
    }

    /** Some pod was read at least {@code window} ago: a window that long has a base. */
    public synchronized boolean covers(Duration window, Instant now) {
        Instant start = now.minus(window);
        return pods.values().stream().anyMatch(samples -> !samples.getFirst().at().isAfter(start));
    }

    /** Forgets what no window of length {@code keep} ending now can need, and pods not read for that long. */
    public synchronized void prune(Instant now, Duration keep) {
        Instant start = now.minus(keep);
        for (Iterator<Deque<Sample>> it = pods.values().iterator(); it.hasNext(); ) {
            Deque<Sample> samples = it.next();
            if (samples.getLast().at().isBefore(start)) {
                it.remove();
                continue;
            }
            // Keep one sample at or before the start: the base of the longest window.
            while (samples.size() > 1) {
                Iterator<Sample> first = samples.iterator();
                first.next();
                if (first.next().at().isAfter(start)) {
                    break;
                }
                samples.removeFirst();
            }
        }
    }

    /**
     * Requests and alerts over the window ending now, summed over the pods: each pod from its last sample at
     * or before the window's start (its first sample when it was read for less than the window), resets
     * counted as Prometheus counts them.
     */
    public synchronized SidecarCounts increase(Duration window, Instant now) {
        Instant start = now.minus(window);
        SidecarCounts total = SidecarCounts.ZERO;
        for (Deque<Sample> samples : pods.values()) {
            Sample previous = null;
            for (Sample s : samples) {
                if (s.at().isAfter(now)) {
                    break;
                }
                if (!s.at().isAfter(start) || previous == null) {
                    previous = s; // the base: the latest at or before the start, or the first of all
                    continue;
                }
                total = total.plus(s.counts().since(previous.counts()));
                previous = s;
            }
        }
        return total;
    }
}
