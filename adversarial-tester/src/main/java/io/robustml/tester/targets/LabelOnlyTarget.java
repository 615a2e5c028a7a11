package io.robustml.tester.targets;

import java.io.IOException;

/**
 * A target seen through {@code outputHardening.exposure: label}: each answer carries the predicted
 * class alone, which the tester holds as a one-hot row (what {@link OipTarget} makes of a sidecar's
 * label output). For in-process tests of decision-based attacks; verdicts pass through.
 */
public final class LabelOnlyTarget implements Target {
    private final Target inner;

    public LabelOnlyTarget(Target inner) {
        this.inner = inner;
    }

    @Override
    public Answer classify(float[][] inputs) throws IOException {
        Answer a = inner.classify(inputs);
        float[][] oneHot = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            oneHot[i] = new float[a.scores()[i].length];
            oneHot[i][a.predicted(i)] = 1f;
        }
        return new Answer(oneHot, a.flagged());
    }

    @Override
    public long queries() {
        return inner.queries();
    }
}
