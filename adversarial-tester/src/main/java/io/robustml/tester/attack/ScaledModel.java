package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A tabular model seen from the attacks' space ({@link FeatureRules}: each column scaled to [0, 1]): the
 * input is mapped to the model's units before the forward pass, and the gradient back by the chain rule
 * (times each column's span).
 */
public final class ScaledModel implements Differentiable {
    private final Differentiable model;
    private final float[] mins;
    private final float[] spans;

    public ScaledModel(Differentiable model, FeatureRules rules) {
        this.model = model;
        this.mins = rules.mins();
        this.spans = rules.spans();
    }

    @Override
    public NDManager newManager() {
        return model.newManager();
    }

    @Override
    public NDArray logits(NDArray input) {
        return model.logits(toModel(input));
    }

    @Override
    public WhiteBoxModel.GradientAndLogits lossGradientAndLogits(NDArray input, NDArray labels) {
        WhiteBoxModel.GradientAndLogits g = model.lossGradientAndLogits(toModel(input), labels);
        return new WhiteBoxModel.GradientAndLogits(g.gradient().mul(input.getManager().create(spans)), g.logits());
    }

    private NDArray toModel(NDArray input) {
        NDManager m = input.getManager();
        return input.mul(m.create(spans)).add(m.create(mins));
    }
}
