package io.robustml.tester.attack;

import io.robustml.oip.detector.DetectorConfig;

/**
 * model.input.normalization seen from the attacks: they work on pixels, the model takes (pixel - mean[c]) / std[c]
 * for each channel c of a [channels, height, width] input.
 */
public final class PixelNormalization implements InputMap {
    private final DetectorConfig.Normalization normalization;
    private final float[] spans;
    private final float[] mins;

    public PixelNormalization(DetectorConfig.Normalization normalization, long[] exampleShape) {
        int channels = normalization.mean().size();
        if (exampleShape.length != 3 || exampleShape[0] != channels) {
            throw new IllegalArgumentException("model.input.normalization has " + channels + " channels and the model takes "
                    + java.util.Arrays.toString(exampleShape) + ": it needs [channels, height, width] with as many channels");
        }
        this.normalization = normalization;
        int plane = (int) (exampleShape[1] * exampleShape[2]);
        spans = new float[channels * plane];
        mins = new float[channels * plane];
        for (int k = 0; k < spans.length; k++) {
            int c = k / plane;
            spans[k] = (float) (1 / normalization.std().get(c));
            mins[k] = (float) (-normalization.mean().get(c) / normalization.std().get(c));
        }
    }

    @Override
    public float[] toModel(float[] x) {
        return normalization.fromPixels(x);
    }

    @Override
    public float[] spans() {
        return spans.clone();
    }

    @Override
    public float[] mins() {
        return mins.clone();
    }
}
