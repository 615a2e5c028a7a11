package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A model seen from the attacks' space ({@link InputMap}: a tabular row's columns scaled to [0, 1], or an image's
 * pixels before its normalisation): the input is mapped to the model's units before the forward pass, and the
 * gradient back by the chain rule (times each element's span).
 */
public final class ScaledModel implements Differentiable {
    private final Differentiable model;
    private final float[] mins;
    private final float[] spans;

    public ScaledModel(Differentiable model, InputMap map) {
        this.model = model;
        this.mins = map.mins();
        this.spans = map.spans();
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
        return new WhiteBoxModel.GradientAndLogits(g.gradient().mul(perExample(input, spans)), g.logits());
    }

    private NDArray toModel(NDArray input) {
        return input.mul(perExample(input, spans)).add(perExample(input, mins));
    }

    /** One value per element of an example, shaped as one example of {@code input} (broadcast over the batch). */
    private static NDArray perExample(NDArray input, float[] values) {
        return input.getManager().create(values, input.getShape().slice(1));
    }
}
