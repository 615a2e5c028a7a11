package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;

/**
 * Projected gradient descent under an L∞ bound (Madry et al. 2018): optional uniform random start in
 * the ε-ball, then {@code steps} signed-gradient ascent steps of size {@code stepSize} on the loss,
 * each projected back into the ε-ball and the valid input range. FGSM is the special case of one
 * step of size ε without random start.
 */
public record LinfPgd(float epsilon, float stepSize, int steps, boolean randomStart, float min, float max) {

    public static LinfPgd fgsm(float epsilon) {
        return new LinfPgd(epsilon, epsilon, 1, false, 0f, 1f);
    }

    /** Adversarial examples for {@code x} (batch first) with integer class {@code labels}. */
    public NDArray attack(WhiteBoxModel model, NDArray x, NDArray labels) {
        NDArray adv = x;
        if (randomStart) {
            adv = x.add(x.getManager().randomUniform(-epsilon, epsilon, x.getShape())).clip(min, max);
        }
        for (int i = 0; i < steps; i++) {
            NDArray gradient = model.lossGradient(adv, labels);
            adv = adv.add(gradient.sign().mul(stepSize));
            adv = adv.minimum(x.add(epsilon)).maximum(x.sub(epsilon)).clip(min, max);
        }
        return adv;
    }
}
