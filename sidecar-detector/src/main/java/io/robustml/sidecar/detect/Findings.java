package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What one detector found in one request: a verdict and scores per row, fixed once found. */
public interface Findings {
    /** The detector's name, as {@code spec.detector.methods}, metrics and forensic records spell it. */
    String detector();

    boolean flagged(int row);

    /** Adds the row's scores to a forensic record's {@code scores} object. */
    void writeScores(int row, ObjectNode scores);
}
