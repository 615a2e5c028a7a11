package io.robustml.sidecar.proxy;

import java.io.PrintStream;

/**
 * Flagged requests as JSON lines on stdout, where the cluster's log pipeline keeps them after the pod
 * and its forensic volume are gone. Each record is exactly one line written by one {@code println}
 * under the stream's lock, so lines never interleave with each other or with log output.
 */
final class ForensicStream {
    static final String CATEGORY = "robustml.forensic";

    void write(String jsonLine) {
        PrintStream out = System.out; // read each time: tests may capture it
        synchronized (out) {
            out.println(jsonLine);
            out.flush();
        }
    }
}
