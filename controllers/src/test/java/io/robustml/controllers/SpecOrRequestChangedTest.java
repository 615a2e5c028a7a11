package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecOrRequestChangedTest {
    private final SpecOrRequestChanged filter = new SpecOrRequestChanged();

    private static RobustModel model(long generation, Map<String, String> annotations) {
        RobustModel m = Serialization.unmarshal(SpecOrRequestChangedTest.class.getResourceAsStream("/robustmodel-minimal.yaml"),
                RobustModel.class);
        m.getMetadata().setGeneration(generation);
        m.getMetadata().setAnnotations(annotations);
        return m;
    }

    @Test
    void aNewGenerationWakesTheReconciler() {
        assertThat(filter.accept(model(2, null), model(1, null))).isTrue();
    }

    @Test
    void aNewRequestWakesItThoughTheGenerationStaysTheSame() {
        assertThat(filter.accept(model(1, Map.of("robustml.io/retry", "alice: again")), model(1, null))).isTrue();
        assertThat(filter.accept(model(1, Map.of("robustml.io/abort", "b")), model(1, Map.of("robustml.io/abort", "a"))))
                .isTrue();
    }

    @Test
    void ourOwnStatusWritesAndOtherAnnotationsDoNot() {
        RobustModel updated = model(1, Map.of("example.com/owner", "team-a", "robustml.io/promote", "x"));
        updated.setStatus(new RobustModelStatus());
        updated.getStatus().phase = "Ready";
        assertThat(filter.accept(updated, model(1, Map.of("robustml.io/promote", "x")))).isFalse();
    }
}
