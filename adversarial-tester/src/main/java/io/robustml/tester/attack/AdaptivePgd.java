package io.robustml.tester.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * A detector-aware PGD against feature squeezing (the adaptive attack of He et al. 2017 on Xu et
 * al.'s defence): it ascends the classification loss while descending the squeezing score, so the
 * adversarial example is both misclassified and unremarkable to the detector. Bit-depth reduction has
 * no useful gradient, so it is differentiated as the identity (BPDA, Athalye et al. 2018); median
 * smoothing is differentiated exactly (a sort of shifted copies). Reported as its own attack: a
 * detector that only stops naive attacks must not look strong.
 *
 * @param weight how much the squeezing score counts against the classification loss (0.5: on the
 *               standard reference model it keeps ~80 % of PGD's successes while pushing their mean
 *               score from 0.70 to ~0.15, far under the threshold calibrated at 5 % false positives)
 */
public record AdaptivePgd(Constraint constraint, float stepSize, int steps, int bitDepth, int medianWindow, float weight) {

    public static AdaptivePgd standard(Constraint constraint, int steps, int bitDepth, int medianWindow) {
        return new AdaptivePgd(constraint, Math.max(2.5f * constraint.epsilon() / steps, Float.MIN_NORMAL), steps, bitDepth,
                medianWindow, 0.5f);
    }

    /** Adversarial examples for image batches {@code x} of shape [N, C, H, W]. */
    public NDArray attack(WhiteBoxModel model, NDArray x, NDArray labels, boolean targeted) {
        Pgd projector = new Pgd(constraint, stepSize, steps, 0, true);
        NDArray classes = labels.toType(DataType.INT64, false);
        NDArray adv = projector.project(x, x.add(x.getManager().randomUniform(-constraint.epsilon(), constraint.epsilon(),
                x.getShape())));
        Loss crossEntropy = Loss.softmaxCrossEntropyLoss();
        for (int i = 0; i < steps; i++) {
            NDArray gradient = model.gradient(adv, leaf -> {
                NDArray logits = model.trainingForward(leaf);
                NDArray classification = crossEntropy.evaluate(new NDList(classes), new NDList(logits));
                NDArray p = logits.softmax(1);
                NDArray bits = model.trainingForward(bitDepthBpda(leaf)).softmax(1);
                NDArray median = model.trainingForward(median(leaf)).softmax(1);
                NDArray score = p.sub(bits).abs().sum(new int[] {1}).maximum(p.sub(median).abs().sum(new int[] {1})).mean();
                return (targeted ? classification.neg() : classification).sub(score.mul(weight));
            });
            NDArray direction = constraint.norm() == Norm.LINF ? gradient.sign()
                    : gradient.div(gradient.reshape(gradient.getShape().get(0), -1).norm(new int[] {1}, true).add(1e-12f)
                            .reshape(gradient.getShape().get(0), 1, 1, 1));
            adv = projector.project(x, adv.add(direction.mul(stepSize)));
        }
        return adv;
    }

    /** Rounding to the bit depth of the input's range forward (as the sidecar squeezes), the identity backward. */
    private NDArray bitDepthBpda(NDArray x) {
        float levels = (1 << bitDepth) - 1;
        float span = constraint.max() - constraint.min();
        NDArray rounded = x.sub(constraint.min()).div(span).clip(0f, 1f).mul(levels).round().div(levels).mul(span)
                .add(constraint.min());
        return x.add(rounded.sub(x).stopGradient());
    }

    /** Median over a window×window neighbourhood with reflected edges, as the sidecar computes it. */
    NDArray median(NDArray x) {
        int before = (medianWindow - 1) / 2;
        int after = medianWindow - 1 - before;
        NDArray padded = reflectPad(reflectPad(x, 2, before, after), 3, before, after);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList shifted = new NDList();
        for (int dh = 0; dh < medianWindow; dh++) {
            for (int dw = 0; dw < medianWindow; dw++) {
                shifted.add(padded.get(new NDIndex(":, :, {}:{}, {}:{}", dh, dh + h, dw, dw + w)));
            }
        }
        NDArray sorted = NDArrays.stack(shifted, 0).sort(0);
        int n = shifted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).add(sorted.get(n / 2)).div(2f);
    }

    private static NDArray reflectPad(NDArray x, int axis, int before, int after) {
        long size = x.getShape().get(axis);
        NDList parts = new NDList();
        if (before > 0) {
            parts.add(slice(x, axis, 0, before).flip(axis));
        }
        parts.add(x);
        if (after > 0) {
            parts.add(slice(x, axis, size - after, size).flip(axis));
        }
        return parts.size() == 1 ? x : NDArrays.concat(parts, axis);
    }

    private static NDArray slice(NDArray x, int axis, long from, long to) {
        return axis == 2 ? x.get(new NDIndex(":, :, {}:{}", from, to)) : x.get(new NDIndex(":, :, :, {}:{}", from, to));
    }
}
