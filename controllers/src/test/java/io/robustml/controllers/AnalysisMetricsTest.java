package io.robustml.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunSpec;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnalysisMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AnalysisMetrics metrics = new AnalysisMetrics(registry);

    private static AdversarialTestRun run(String name, String revision, String phase, String completed, String asr) {
        AdversarialTestRun run = new AdversarialTestRun();
        run.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
        run.setSpec(new AdversarialTestRunSpec());
        run.getSpec().target = new AdversarialTestRunSpec.Target();
        run.getSpec().target.revision = revision;
        AdversarialTestRunStatus s = new AdversarialTestRunStatus();
        s.phase = phase;
        s.completionTime = completed;
        s.samples = 100;
        s.cleanAccuracy = 0.9;
        s.adversarialSuccessRate = io.robustml.crds.Decimals.value(asr);
        s.detector = new AdversarialTestRunStatus.DetectorMetrics(null, 0.5, 0.04, null, null, null);
        s.attacks = List.of(new AdversarialTestRunStatus.AttackResult("pgd-linf-0.1", "pgd", "linf", 0.1, 10, 0, null, 100,
                io.robustml.crds.Decimals.value(asr), 0.05, null, null, 2000L, null, null, null, null, 1.0, null, null, null, null));
        run.setStatus(s);
        return run;
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void exportsTheNewestFinishedRunOfEachServingRevision() {
        List<AdversarialTestRun> runs = List.of(
                run("m-aaa-a1", "aaa", "Succeeded", "2026-11-29T10:00:00Z", "0.2"),
                run("m-aaa-a2", "aaa", "Succeeded", "2026-11-29T11:00:00Z", "0.3"),
                run("m-aaa-a3", "aaa", "Running", null, "0.9"),
                run("m-bbb-a1", "bbb", "Succeeded", "2026-11-29T12:00:00Z", "0.8"));
        metrics.record("shop", "m", runs, Set.of("aaa", "bbb"));
        assertThat(gauge("robustml_analysis_adversarial_success_rate", "revision", "aaa", "attack", "all")).isEqualTo(0.3);
        assertThat(gauge("robustml_analysis_adversarial_success_rate", "revision", "bbb", "attack", "pgd-linf-0.1")).isEqualTo(0.8);
        assertThat(gauge("robustml_analysis_robust_accuracy", "revision", "bbb", "attack", "pgd-linf-0.1")).isEqualTo(0.05);
        assertThat(gauge("robustml_analysis_queries", "revision", "bbb", "attack", "pgd-linf-0.1")).isEqualTo(2000);
        assertThat(gauge("robustml_analysis_detection_false_positive_rate", "revision", "aaa")).isEqualTo(0.04);
        assertThat(registry.find("robustml_analysis_detection_precision").gauges()).as("not measured, not exported").isEmpty();

        // bbb was rolled back: only aaa serves; its series go.
        metrics.record("shop", "m", runs, Set.of("aaa"));
        assertThat(registry.find("robustml_analysis_clean_accuracy").tags("revision", "bbb").gauges()).isEmpty();
        assertThat(gauge("robustml_analysis_clean_accuracy", "revision", "aaa")).isEqualTo(0.9);

        metrics.retainModels(Set.of("shop/other"));
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void calibratedThresholdsAndTheirHeldOutRatesArePerDetector() {
        AdversarialTestRun run = run("m-aaa-a1", "aaa", "Succeeded", "2026-11-29T10:00:00Z", "0.2");
        run.getStatus().calibration = new AdversarialTestRunStatus.Calibration(
                new AdversarialTestRunStatus.FeatureSqueezingCalibration(0.6471, null, 0.046, null, null),
                new AdversarialTestRunStatus.QuerySimilarityCalibration(8, null, 0.0094, null, null));
        metrics.record("shop", "m", List.of(run), Set.of("aaa"));
        assertThat(gauge("robustml_analysis_calibrated_threshold", "detector", "featureSqueezing")).isEqualTo(0.6471);
        assertThat(gauge("robustml_analysis_calibrated_threshold", "detector", "querySimilarity")).isEqualTo(8);
        assertThat(gauge("robustml_analysis_calibrated_false_positive_rate", "detector", "querySimilarity")).isEqualTo(0.0094);
    }

    @Test
    void aRevisionWithoutAFinishedRunExportsNothing() {
        metrics.record("shop", "m", List.of(run("m-aaa-a1", "aaa", "Failed", "2026-11-29T10:00:00Z", "0.2")), Set.of("aaa"));
        assertThat(registry.getMeters()).isEmpty();
    }
}
