package io.robustml.tester.run;

import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.ChannelsLast;
import io.robustml.tester.attack.Differentiable;
import io.robustml.tester.attack.FeatureRules;
import io.robustml.tester.attack.PixelNormalization;
import io.robustml.tester.attack.ScaledModel;
import io.robustml.tester.targets.ScaledTarget;
import io.robustml.tester.targets.Target;
import java.util.function.UnaryOperator;

/**
 * The model, its surrogate and the data as the attacks see them, from the input description: a tabular row's columns
 * scaled to [0, 1] (model.input.features); an image's pixels channels first, mapped on their way to a model that takes
 * them normalised (model.input.normalization) or channels last (model.input.layout NHWC); otherwise as they are. The
 * data are checked against the description first, so a dataset that breaks it measures nothing.
 *
 * @param ofModel turns any target that takes the model's own inputs (the model file in-process, for one) into the
 *                attacks' view of it
 */
record InputViews(Target target, Differentiable gradients, Differentiable surrogate, EvaluationData data,
        UnaryOperator<Target> ofModel) {

    static InputViews of(Assignment assignment, Target target, Differentiable whiteBox, Differentiable surrogate,
            long[] attackShape, EvaluationData data) {
        FeatureRules features = assignment.features();
        if (features != null) {
            checkColumns(data.test(), features);
            UnaryOperator<Target> view = t -> new ScaledTarget(t, features);
            return new InputViews(view.apply(target), whiteBox == null ? null : new ScaledModel(whiteBox, features), surrogate,
                    new EvaluationData(scaled(data.test(), features), data.pool() == null ? null : scaled(data.pool(), features),
                            false), view);
        }
        checkInsideRange(data.test(), assignment.inputRange());
        boolean last = assignment.channelsLast();
        UnaryOperator<Target> oriented = t -> last ? ChannelsLast.target(t, attackShape) : t;
        UnaryOperator<Differentiable> orientedModel = m -> m == null || !last ? m : new ChannelsLast.ModelView(m);
        if (assignment.normalization() == null) {
            return new InputViews(oriented.apply(target), orientedModel.apply(whiteBox), orientedModel.apply(surrogate), data,
                    oriented);
        }
        // The data, the attacks and ε are in pixels; the model, its surrogate and the endpoint take them normalised.
        PixelNormalization pixels = new PixelNormalization(assignment.normalization(), attackShape);
        UnaryOperator<Target> view = t -> new ScaledTarget(oriented.apply(t), pixels);
        UnaryOperator<Differentiable> modelView = m -> m == null ? null : new ScaledModel(orientedModel.apply(m), pixels);
        return new InputViews(view.apply(target), modelView.apply(whiteBox), modelView.apply(surrogate), data, view);
    }

    /** A tabular dataset's rows: one value per described column, each inside its column's range. */
    static void checkColumns(LabelledImages test, FeatureRules features) {
        for (int i = 0; i < test.count(); i++) {
            float[] row = test.images()[i];
            if (row.length != features.size()) {
                throw new IllegalArgumentException("dataset example " + i + " has " + row.length + " values; model.input.features "
                        + "describes " + features.size() + " columns");
            }
            float[] scaled = features.toAttack(row);
            String broken = features.violation(scaled, scaled);
            if (broken != null) {
                throw new IllegalArgumentException("dataset example " + i + " breaks model.input.features: " + broken);
            }
            for (int j = 0; j < scaled.length; j++) {
                if (!(scaled[j] >= -1e-6f && scaled[j] <= 1 + 1e-6f)) {
                    throw new IllegalArgumentException("dataset example " + i + " has a value " + row[j] + " in column " + j
                            + " outside that column's range (model.input.features)");
                }
            }
        }
    }

    /** Rows in the attacks' space. */
    private static LabelledImages scaled(LabelledImages rows, FeatureRules features) {
        float[][] out = new float[rows.count()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = features.toAttack(rows.images()[i]);
        }
        return new LabelledImages(rows.count(), rows.channels(), rows.rows(), rows.cols(), out, rows.labels());
    }

    /** The originals must be valid inputs: attacks keep their examples inside model.input.range, and measure from there. */
    static void checkInsideRange(LabelledImages test, Assignment.InputRange range) {
        for (int i = 0; i < test.count(); i++) {
            for (float v : test.images()[i]) {
                if (!(v >= range.min() - 1e-6f && v <= range.max() + 1e-6f)) {
                    throw new IllegalArgumentException("dataset example " + i + " has a value " + v + " outside model.input.range ["
                            + range.min() + ", " + range.max() + "]: set the range the model's inputs really have");
                }
            }
        }
    }

}
