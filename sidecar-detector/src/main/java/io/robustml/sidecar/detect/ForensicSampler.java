package io.robustml.sidecar.detect;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which flagged rows get a forensic record: every row of a client up to {@code perClientMinute} in a
 * minute, then one in {@code sampleEvery}, so that one attack (a Square Attack flags tens of thousands
 * of queries) leaves a record of its course without filling the volume. Clients are keyed by identity
 * and bounded (least recently seen forgotten), so a flood of identities cannot exhaust memory. Time is
 * passed in, so the decision is deterministic under test.
 */
public final class ForensicSampler {
    private static final class Window {
        long minute = -1;
        long seen;
    }

    private final int perClientMinute;
    private final int sampleEvery;
    private final Map<String, Window> clients;

    public ForensicSampler(int perClientMinute, int sampleEvery, int maxClients) {
        if (perClientMinute < 0 || sampleEvery < 1 || maxClients < 1) {
            throw new IllegalArgumentException("perClientMinute >= 0, sampleEvery >= 1 and maxClients >= 1, got "
                    + perClientMinute + ", " + sampleEvery + ", " + maxClients);
        }
        this.perClientMinute = perClientMinute;
        this.sampleEvery = sampleEvery;
        this.clients = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Whether this flagged row of {@code client} is written; counts it either way. */
    public synchronized boolean admits(String client, long epochMillis) {
        Window w = clients.computeIfAbsent(client, c -> new Window());
        long minute = epochMillis / 60_000;
        if (w.minute != minute) {
            w.minute = minute;
            w.seen = 0;
        }
        long n = w.seen++;
        return n < perClientMinute || (n - perClientMinute) % sampleEvery == sampleEvery - 1;
    }
}
