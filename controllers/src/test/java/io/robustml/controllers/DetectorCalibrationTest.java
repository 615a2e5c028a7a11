package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.dependent.DetectorConfigMap;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunSpec;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DetectorCalibrationTest {
    private static RobustModel model(String threshold, String target) {
        RobustModel model = Serialization.unmarshal(DetectorCalibrationTest.class.getResourceAsStream("/robustmodel-minimal.yaml"),
                RobustModel.class);
        model.getMetadata().setNamespace("shop");
        model.getSpec().detector = new DetectorSpec();
        model.getSpec().detector.methods = List.of(io.robustml.oip.detector.DetectorConfig.Method.FEATURE_SQUEEZING);
        model.getSpec().detector.featureSqueezing = new DetectorSpec.FeatureSqueezingSpec();
        model.getSpec().detector.featureSqueezing.threshold = threshold;
        model.getSpec().detector.featureSqueezing.targetFalsePositiveRate = target;
        return model;
    }

    private static AdversarialTestRun run(String name, String revision, String completed, String threshold, String target) {
        AdversarialTestRun run = new AdversarialTestRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).build());
        run.setSpec(new AdversarialTestRunSpec());
        run.getSpec().target = new AdversarialTestRunSpec.Target();
        run.getSpec().target.revision = revision;
        run.setStatus(new AdversarialTestRunStatus());
        run.getStatus().phase = "Succeeded";
        run.getStatus().completionTime = completed;
        run.getStatus().calibration = new AdversarialTestRunStatus.Calibration(new AdversarialTestRunStatus.FeatureSqueezingCalibration(
                io.robustml.crds.Decimals.value(threshold), io.robustml.crds.Decimals.value(target), 0.046, null, null), null);
        return run;
    }

    private static final List<AdversarialTestRun> RUNS = List.of(
            run("m-old-a1", "old", "2026-11-29T10:00:00Z", "0.65", "0.05"),
            run("m-new-a1", "new", "2026-11-29T11:00:00Z", "0.39", "0.05"),
            run("m-new-b1", "new", "2026-11-29T09:00:00Z", "0.41", "0.05"),
            run("m-new-a2", "new", "2026-11-29T12:00:00Z", "0.50", "0.10"));

    @Test
    void theStableRevisionsOwnNewestThresholdForTheSameTargetIsInForce() {
        var inForce = DetectorCalibration.inForce(model(null, "0.05").getSpec(), "new", RUNS).orElseThrow();
        assertThat(inForce.featureSqueezingThreshold).isEqualTo("0.39");
        assertThat(inForce.runName).isEqualTo("m-new-a1");
        assertThat(inForce.measuredFalsePositiveRate).isEqualTo("0.046");
        assertThat(DetectorCalibration.inForce(model(null, "0.050").getSpec(), "new", RUNS)).get()
                .extracting(c -> c.runName).as("0.050 is the same rate as 0.05").isEqualTo("m-new-a1");
        assertThat(DetectorCalibration.inForce(model(null, "0.05").getSpec(), "old", RUNS)).get()
                .extracting(c -> c.featureSqueezingThreshold).isEqualTo("0.65");
        assertThat(DetectorCalibration.inForce(model(null, "0.05").getSpec(), null, RUNS)).as("first release").isEmpty();
        assertThat(DetectorCalibration.inForce(model(null, "0.01").getSpec(), "new", RUNS)).as("other target").isEmpty();
        assertThat(DetectorCalibration.inForce(model("0.7", null).getSpec(), "new", RUNS)).as("a spec threshold wins").isEmpty();
    }

    @Test
    void theDetectorConfigCarriesTheCalibratedThresholdUnlessTheSpecSetsOne() {
        RobustModel model = model(null, "0.05");
        model.setStatus(new RobustModelStatus());
        model.getStatus().detector = DetectorCalibration.inForce(model.getSpec(), "new", RUNS).orElseThrow();
        assertThat(squeezing(model)).containsEntry("threshold", 0.39).containsEntry("targetFalsePositiveRate", 0.05);
        model.getStatus().detector = null;
        assertThat(squeezing(model)).doesNotContainKey("threshold");
    }

    /** Query similarity: its own target and in-force match threshold, from the same run, rendered unless the spec sets one. */
    @Test
    void aCalibratedMatchThresholdIsInForceAndRendered() {
        RobustModel model = model(null, "0.05");
        model.getSpec().detector.methods = List.of(io.robustml.oip.detector.DetectorConfig.Method.FEATURE_SQUEEZING, io.robustml.oip.detector.DetectorConfig.Method.QUERY_SIMILARITY);
        model.getSpec().detector.querySimilarity = new DetectorSpec.QuerySimilaritySpec();
        model.getSpec().detector.querySimilarity.targetFalsePositiveRate = "0.01";
        AdversarialTestRun both = run("m-new-a3", "new", "2026-11-29T13:00:00Z", "0.40", "0.05");
        both.getStatus().calibration = new AdversarialTestRunStatus.Calibration(both.getStatus().calibration.featureSqueezing(),
                new AdversarialTestRunStatus.QuerySimilarityCalibration(27, 0.01, 0.008, null, null));
        List<AdversarialTestRun> runs = new java.util.ArrayList<>(RUNS);
        runs.add(both);
        var inForce = DetectorCalibration.inForce(model.getSpec(), "new", runs).orElseThrow();
        assertThat(inForce.runName).isEqualTo("m-new-a3");
        assertThat(inForce.featureSqueezingThreshold).isEqualTo("0.4");
        assertThat(inForce.querySimilarityMatchThreshold).isEqualTo(27);
        assertThat(inForce.querySimilarityMeasuredFalsePositiveRate).isEqualTo("0.008");
        model.setStatus(new RobustModelStatus());
        model.getStatus().detector = inForce;
        assertThat(section(model, "querySimilarity")).containsEntry("matchThreshold", 27);

        // Only the similarity target is set: its calibration alone is in force; another target finds none.
        model.getSpec().detector.featureSqueezing = null;
        model.getSpec().detector.methods = List.of(io.robustml.oip.detector.DetectorConfig.Method.QUERY_SIMILARITY);
        var alone = DetectorCalibration.inForce(model.getSpec(), "new", runs).orElseThrow();
        assertThat(alone.featureSqueezingThreshold).isNull();
        assertThat(alone.querySimilarityMatchThreshold).isEqualTo(27);
        model.getSpec().detector.querySimilarity.targetFalsePositiveRate = "0.02";
        assertThat(DetectorCalibration.inForce(model.getSpec(), "new", runs)).isEmpty();

        // A match threshold in the spec wins over the calibrated one.
        model.getSpec().detector.querySimilarity.targetFalsePositiveRate = null;
        model.getSpec().detector.querySimilarity.matchThreshold = 12;
        assertThat(section(model, "querySimilarity")).containsEntry("matchThreshold", 12);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(RobustModel model, String name) {
        Map<String, Object> config = Serialization.unmarshal(DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY),
                Map.class);
        return (Map<String, Object>) ((Map<String, Object>) config.get("detector")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> squeezing(RobustModel model) {
        Map<String, Object> config = Serialization.unmarshal(DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY),
                Map.class);
        return (Map<String, Object>) ((Map<String, Object>) config.get("detector")).get("featureSqueezing");
    }
}
