package io.robustml.controllers;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.robustml.controllers.rollout.Requests;
import io.robustml.crds.RobustModel;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a RobustModel wake its reconciler: a new generation (the spec changed) or a new
 * value of a human's request annotation ({@code robustml.io/retry}, {@code abort}, {@code promote}).
 * Annotations do not bump the generation, so JOSDK's generation-aware filtering alone would drop a
 * request until some unrelated event came; status-only updates (our own writes) still wake nothing.
 */
public final class SpecOrRequestChanged implements OnUpdateFilter<RobustModel> {
    @Override
    public boolean accept(RobustModel updated, RobustModel old) {
        return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || !Requests.from(annotations(updated)).equals(Requests.from(annotations(old)));
    }

    private static Map<String, String> annotations(RobustModel model) {
        return model.getMetadata().getAnnotations() == null ? Map.of() : model.getMetadata().getAnnotations();
    }
}
