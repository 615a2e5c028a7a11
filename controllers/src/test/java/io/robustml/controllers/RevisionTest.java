package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.SlosSpec;
import org.junit.jupiter.api.Test;

class RevisionTest {
    private static RobustModel model() {
        return Serialization.unmarshal(RevisionTest.class.getResourceAsStream("/robustmodel-gpu.yaml"), RobustModel.class);
    }

    @Test
    void isStableAndShort() {
        assertThat(Revision.of(model().getSpec())).isEqualTo(Revision.of(model().getSpec())).matches("[0-9a-f]{10}");
    }

    @Test
    void changesWithWhatChangesThePods() {
        String base = Revision.of(model().getSpec());
        RobustModel m = model();
        m.getSpec().model.sha256 = "0".repeat(64);
        assertThat(Revision.of(m.getSpec())).isNotEqualTo(base);
        m = model();
        m.getSpec().serving.gpu.count = 2;
        assertThat(Revision.of(m.getSpec())).isNotEqualTo(base);
        m = model();
        m.getSpec().detector = new DetectorSpec();
        m.getSpec().detector.methods = java.util.List.of(io.robustml.oip.detector.DetectorConfig.Method.FEATURE_SQUEEZING);
        assertThat(Revision.of(m.getSpec())).as("detectors compiled in").isNotEqualTo(base);
    }

    @Test
    void ignoresReplicasSlosAndDetectorRuntimeSettings() {
        String base = Revision.of(model().getSpec());
        RobustModel m = model();
        m.getSpec().serving.replicas = 7;
        m.getSpec().slos = new SlosSpec();
        m.getSpec().slos.maxAdversarialSuccessRate = "0.01";
        m.getSpec().detector = new DetectorSpec();
        m.getSpec().detector.action = io.robustml.oip.detector.DetectorConfig.Action.BLOCK;
        assertThat(Revision.of(m.getSpec())).isEqualTo(base);
    }
}
