package io.robustml.tester.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import java.nio.file.Path;

/**
 * A TorchScript model whose gradients with respect to the input are available (DJL cannot export
 * TorchScript, but it can differentiate through a loaded one): the white-box attacker's view.
 */
public final class WhiteBoxModel implements Differentiable, AutoCloseable {
    static {
        System.setProperty("ai.djl.offline", "true");
    }

    private final ZooModel<NDList, NDList> model;
    private final Block block;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    private WhiteBoxModel(ZooModel<NDList, NDList> model) {
        this.model = model;
        this.block = model.getBlock();
        // Gradients flow to the input only; the weights stay as trained.
        block.freezeParameters(true);
    }

    public static WhiteBoxModel load(Path torchscript) throws Exception {
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(torchscript)
                .optEngine("PyTorch")
                .optOption("trainParam", "true") // load so that autograd records the forward pass
                .build();
        return new WhiteBoxModel(criteria.loadModel());
    }

    @Override
    public NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    @Override
    public NDArray logits(NDArray input) {
        return block.forward(new ParameterStore(input.getManager(), false), new NDList(input), false).singletonOrThrow();
    }

    /**
     * Gradient of the mean cross-entropy loss with respect to the input. A fresh leaf per call:
     * gradients accumulate in DJL, and only one collector may be open at a time.
     */
    public NDArray lossGradient(NDArray input, NDArray labels) {
        return lossGradientAndLogits(input, labels).gradient();
    }

    /** The gradient and, from the same forward pass, the logits at {@code input}. */
    @Override
    public GradientAndLogits lossGradientAndLogits(NDArray input, NDArray labels) {
        NDArray leaf = input.stopGradient().duplicate();
        leaf.setRequiresGradient(true);
        NDArray logits;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            // Training-mode forward so autograd records it; the reference models have no dropout or
            // batch norm, so train and eval compute the same function.
            logits = block.forward(new ParameterStore(input.getManager(), false), new NDList(leaf), true)
                    .singletonOrThrow();
            NDArray value = loss.evaluate(new NDList(labels), new NDList(logits));
            collector.backward(value);
        }
        return new GradientAndLogits(leaf.getGradient().duplicate(), logits.stopGradient());
    }

    /**
     * Gradient of any scalar {@code objective} of the input (which may run the model several times,
     * e.g. on squeezed copies, through {@link #trainingForward}).
     */
    public NDArray gradient(NDArray input, java.util.function.UnaryOperator<NDArray> objective) {
        NDArray leaf = input.stopGradient().duplicate();
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(objective.apply(leaf));
        }
        return leaf.getGradient().duplicate();
    }

    /** A forward pass that autograd records (inside {@link #gradient}). */
    public NDArray trainingForward(NDArray input) {
        return block.forward(new ParameterStore(input.getManager(), false), new NDList(input), true).singletonOrThrow();
    }

    /** Loss gradient with respect to the input, and the logits it was taken at. */
    public record GradientAndLogits(NDArray gradient, NDArray logits) {
    }

    @Override
    public void close() {
        model.close();
    }
}
