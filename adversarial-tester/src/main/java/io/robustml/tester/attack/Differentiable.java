package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A model whose input gradients the attacker has: the target's own file (white-box) or a surrogate
 * (a knockoff trained on the target's answers, or another model file) for transfer attacks.
 */
public interface Differentiable {
    NDManager newManager();

    NDArray logits(NDArray input);

    /** The loss gradient with respect to the input and, from the same forward pass, the logits. */
    WhiteBoxModel.GradientAndLogits lossGradientAndLogits(NDArray input, NDArray labels);
}
