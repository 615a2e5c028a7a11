package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.oip.detector.DetectorConfig;
import io.robustml.tester.targets.ScaledTarget;
import io.robustml.tester.targets.Target;

/**
 * model.input.layout NHWC: the attacks, the data and the detectors' geometry stay channels first ([C, H, W]); a model
 * that takes [H, W, C] gets each example transposed on its way in, and its input gradient transposed back.
 */
public final class ChannelsLast {
    private ChannelsLast() {
    }

    /** The channels-first shape of a model's [H, W, C] input. */
    public static long[] channelsFirst(long[] hwc) {
        if (hwc.length != 3) {
            throw new IllegalArgumentException("layout NHWC needs an image input [height, width, channels], not "
                    + java.util.Arrays.toString(hwc));
        }
        return new long[] {hwc[2], hwc[0], hwc[1]};
    }

    /** A target that takes [H, W, C], seen with [C, H, W] examples of shape {@code chw}. */
    public static Target target(Target target, long[] chw) {
        // The transposition the sidecar undoes (detector.json's channelsLast): one implementation for both.
        return new ScaledTarget(target, new DetectorConfig.ChannelsLast((int) chw[0])::toChannelsLast);
    }

    /** A model that takes [N, H, W, C], seen with [N, C, H, W] inputs; the gradient comes back as [N, C, H, W]. */
    public record ModelView(Differentiable model) implements Differentiable {
        @Override
        public NDManager newManager() {
            return model.newManager();
        }

        @Override
        public NDArray logits(NDArray input) {
            return model.logits(input.transpose(0, 2, 3, 1));
        }

        @Override
        public WhiteBoxModel.GradientAndLogits lossGradientAndLogits(NDArray input, NDArray labels) {
            WhiteBoxModel.GradientAndLogits g = model.lossGradientAndLogits(input.transpose(0, 2, 3, 1), labels);
            return new WhiteBoxModel.GradientAndLogits(g.gradient().transpose(0, 3, 1, 2), g.logits());
        }
    }
}
