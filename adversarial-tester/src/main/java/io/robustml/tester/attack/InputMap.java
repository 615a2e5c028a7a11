package io.robustml.tester.attack;

/**
 * How an input in the attacks' space becomes the model's, element by element: model value = mins[k] + spans[k] · x[k].
 * A tabular row's columns ({@link FeatureRules}: each column's range scaled to [0, 1]) and an image's per-channel
 * normalisation ({@link PixelNormalization}) are such maps; the target and the white-box model see the model's values,
 * gradients come back by the chain rule ({@link ScaledModel}).
 */
public interface InputMap {
    /** A row of the attacks' space in the model's units. */
    float[] toModel(float[] x);

    /** Each element's multiplier from the attacks' space to the model's units. */
    float[] spans();

    /** Each element's offset. */
    float[] mins();
}
