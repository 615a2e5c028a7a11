package io.robustml.tester.targets;

import io.robustml.tester.attack.InputMap;
import java.io.IOException;

/**
 * A target seen from the attacks' space ({@link InputMap}: a tabular row's scaled columns, an image's pixels before
 * its normalisation): each input mapped to the model's units before it is sent.
 */
public final class ScaledTarget implements Target {
    private final Target target;
    private final java.util.function.UnaryOperator<float[]> toModel;

    public ScaledTarget(Target target, InputMap map) {
        this(target, map::toModel);
    }

    /** Any per-input mapping to what the model takes (a channels-last model's transposition, for one). */
    public ScaledTarget(Target target, java.util.function.UnaryOperator<float[]> toModel) {
        this.target = target;
        this.toModel = toModel;
    }

    @Override
    public Answer classify(float[][] inputs) throws IOException {
        float[][] rows = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            rows[i] = toModel.apply(inputs[i]);
        }
        return target.classify(rows);
    }

    @Override
    public long queries() {
        return target.queries();
    }

    @Override
    public void judgeSqueezingAt(double threshold) {
        target.judgeSqueezingAt(threshold);
    }
}
