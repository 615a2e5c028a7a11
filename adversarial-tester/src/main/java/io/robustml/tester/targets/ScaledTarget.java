package io.robustml.tester.targets;

import io.robustml.tester.attack.FeatureRules;
import java.io.IOException;

/** A tabular target seen from the attacks' space: each row mapped to the model's units before it is sent. */
public final class ScaledTarget implements Target {
    private final Target target;
    private final FeatureRules rules;

    public ScaledTarget(Target target, FeatureRules rules) {
        this.target = target;
        this.rules = rules;
    }

    @Override
    public Answer classify(float[][] inputs) throws IOException {
        float[][] rows = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            rows[i] = rules.toModel(inputs[i]);
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
