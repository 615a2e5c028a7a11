package io.robustml.controllers.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.crds.model.SlosSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The verdict over a table of metric sets, boundaries and missing values included. */
class SloVerdictTest {

    /**
     * Columns: canary samples, clean, ASR, recall, p99; baseline clean, ASR ("" = no baseline);
     * expected outcome; a fragment the summary must contain.
     */
    @ParameterizedTest(name = "[{index}] {7}: {8}")
    @CsvSource(delimiter = '|', nullValues = "", value = {
        "500|0.90|0.10|0.90|20|0.90|0.10|PASSED|all SLOs met",
        "500|0.90|0.30|0.90|20|0.90|0.30|PASSED|all SLOs met",                     // ASR exactly at the cap
        "500|0.90|0.3001|0.90|20|0.90|0.30|FAILED|adversarialSuccessRate 0.3001 > max 0.3",
        "500|0.84|0.10|0.90|20|0.90|0.10|FAILED|cleanAccuracy 0.84 < min 0.85",
        "500|0.87|0.10|0.90|20|0.90|0.10|FAILED|dropped 0.03 from stable's 0.9",
        "500|0.88|0.10|0.90|20|0.90|0.10|PASSED|all SLOs met",                     // drop exactly 0.02
        "500|0.90|0.25|0.90|20|0.90|0.10|FAILED|more than 2 x stable's 0.1",       // under the cap, 2.5x baseline
        "500|0.90|0.20|0.90|20|0.90|0.10|PASSED|all SLOs met",                     // exactly 2x
        "500|0.90|0.10|0.79|20|0.90|0.10|FAILED|detectionRecall 0.79 < min 0.8",
        "500|0.90|0.10|0.90|251|0.90|0.10|FAILED|latencyP99Ms 251 > max 250",
        "500|0.90|0.10||20|0.90|0.10|INCONCLUSIVE|detectionRecall not measured",   // missing is never a pass
        "500||0.10|0.90|20|0.90|0.10|INCONCLUSIVE|cleanAccuracy not measured",
        "500|NaN|0.10|0.90|20|0.90|0.10|INCONCLUSIVE|cleanAccuracy not measured",
        "499|0.90|0.10|0.90|20|0.90|0.10|INCONCLUSIVE|measured 499 examples of 500", // too few samples
        "|0.90|0.10|0.90|20|0.90|0.10|INCONCLUSIVE|measured no examples",
        "500|0.90|0.50||20|0.90|0.10|FAILED|adversarialSuccessRate 0.5 > max 0.3", // a violation outranks missing data
        "500|0.90|0.10|0.90|20|||PASSED|not applicable: maxAdversarialSuccessRateRatio", // first revision
    })
    void judges(Integer samples, String clean, String asr, String recall, String p99, String baseClean, String baseAsr,
            Verdict.Outcome expected, String fragment) {
        SlosSpec slos = new SlosSpec();
        slos.maxAdversarialSuccessRate = "0.3";
        slos.maxAdversarialSuccessRateRatio = "2";
        slos.minCleanAccuracy = "0.85";
        slos.maxCleanAccuracyDrop = "0.02";
        slos.minDetectionRecall = "0.8";
        slos.maxLatencyP99Ms = 250;
        RunMetrics canary = new RunMetrics(samples, io.robustml.crds.Decimals.value(clean), io.robustml.crds.Decimals.value(asr), io.robustml.crds.Decimals.value(recall),
                null, io.robustml.crds.Decimals.value(p99));
        RunMetrics baseline = baseClean == null ? null : RunMetrics.baseline(baseClean, baseAsr);
        Verdict v = SloVerdict.judge(slos, canary, baseline, 500);
        assertThat(v.outcome()).isEqualTo(expected);
        assertThat(v.summary()).contains(fragment);
    }

    @ParameterizedTest
    @CsvSource({"0.1", "0"})
    void noSlosMeansOnlyACompleteMeasurementPasses(String asr) {
        assertThat(SloVerdict.judge(null, new RunMetrics(10, 0.9, io.robustml.crds.Decimals.value(asr), null, null, null), null, 10).outcome())
                .isEqualTo(Verdict.Outcome.PASSED);
        assertThat(SloVerdict.judge(null, new RunMetrics(5, 0.9, 0.1, null, null, null), null, 10).outcome())
                .isEqualTo(Verdict.Outcome.INCONCLUSIVE);
    }

    /** The table: a relative SLO violated while the absolute cap holds fails with both numbers. */
    @ParameterizedTest(name = "[{index}] canary {0} vs stable {1}: {2}")
    @CsvSource(delimiter = '|', nullValues = "", value = {
        "0.25|0.10|FAILED|adversarialSuccessRate 0.25 rose 0.15 over stable's 0.1 (max increase 0.05)",
        "0.15|0.10|PASSED|all SLOs met",                                   // exactly +0.05
        "0.1501|0.10|FAILED|rose 0.0501 over stable's 0.1",
        "0.05|0.20|PASSED|all SLOs met",                                   // better than stable
        "0.25||PASSED|not applicable: maxAdversarialSuccessRateIncrease (no stable baseline for this suite)",
        "0.35|0.34|FAILED|adversarialSuccessRate 0.35 > max 0.3",          // the cap still binds
    })
    void judgesTheIncreaseOverStableBesideTheAbsoluteCap(String asr, String baseAsr, Verdict.Outcome expected, String fragment) {
        SlosSpec slos = new SlosSpec();
        slos.maxAdversarialSuccessRate = "0.3";
        slos.maxAdversarialSuccessRateIncrease = "0.05";
        RunMetrics canary = new RunMetrics(100, 0.9, io.robustml.crds.Decimals.value(asr), null, null, null);
        Verdict v = SloVerdict.judge(slos, canary, baseAsr == null ? null : RunMetrics.baseline("0.9", baseAsr), 100);
        assertThat(v.outcome()).isEqualTo(expected);
        assertThat(v.summary()).contains(fragment);
        if (expected == Verdict.Outcome.FAILED && baseAsr != null && io.robustml.crds.Decimals.value(asr) <= 0.3) {
            assertThat(v.violations()).as("the absolute cap held; only the relative SLO failed").hasSize(1);
        }
    }

    @org.junit.jupiter.api.Test
    void aCriticalClassHasItsOwnCapAndTheCorpusItsOwnSlo() {
        SlosSpec slos = new SlosSpec();
        slos.maxAdversarialSuccessRate = "0.5";
        SlosSpec.CriticalClass sneaker = new SlosSpec.CriticalClass();
        sneaker.name = "sneaker";
        sneaker.maxAdversarialSuccessRate = "0.1";
        slos.criticalClasses = java.util.List.of(sneaker);
        slos.maxCorpusSuccessRate = "0";
        RunMetrics canary = new RunMetrics(100, 0.9, 0.3, null, null, null);

        Verdict v = SloVerdict.judge(slos, canary, null, 100, null,
                new RunDetails(java.util.Map.of("sneaker", 0.25, "bag", 0.4), 0.0));
        assertThat(v.outcome()).as("overall 0.3 holds the 0.5 cap; the critical class does not").isEqualTo(Verdict.Outcome.FAILED);
        assertThat(v.violations()).containsExactly("adversarialSuccessRate of class sneaker 0.25 > max 0.1");

        v = SloVerdict.judge(slos, canary, null, 100, null, new RunDetails(java.util.Map.of("sneaker", 0.05), 0.02));
        assertThat(v.violations()).containsExactly("corpus adversarialSuccessRate 0.02 > max 0");

        v = SloVerdict.judge(slos, canary, null, 100, null, new RunDetails(java.util.Map.of("bag", 0.05), null));
        assertThat(v.outcome()).as("a class or corpus the run did not measure is never a pass").isEqualTo(Verdict.Outcome.INCONCLUSIVE);
        assertThat(v.missing()).containsExactly("adversarialSuccessRate of class sneaker not measured",
                "corpus adversarialSuccessRate not measured");

        assertThat(SloVerdict.judge(slos, canary, null, 100, null, new RunDetails(java.util.Map.of("sneaker", 0.1), 0.0)).outcome())
                .isEqualTo(Verdict.Outcome.PASSED);
    }

    @org.junit.jupiter.api.Test
    void certifiedAccuracyIsCheckedAtTheSlosRadiusAndNeverPassesUnmeasured() {
        SlosSpec slos = new SlosSpec();
        slos.minCertifiedAccuracy = new SlosSpec.CertifiedAccuracy();
        slos.minCertifiedAccuracy.radius = "0.25";
        slos.minCertifiedAccuracy.accuracy = "0.6";
        RunMetrics canary = new RunMetrics(100, 0.9, 0.3, null, null, null);
        var status = new io.robustml.crds.run.AdversarialTestRunStatus();
        status.certification = certified(radius("0.250", "0.55"), radius("0.5", "0.3"));

        Verdict v = SloVerdict.judge(slos, canary, null, 100, null, RunDetails.of(status));
        assertThat(v.outcome()).as("\"0.250\" is the radius \"0.25\"").isEqualTo(Verdict.Outcome.FAILED);
        assertThat(v.violations()).containsExactly("certifiedAccuracy at L2 radius 0.25 0.55 < min 0.6");

        status.certification = certified(radius("0.25", "0.61"));
        assertThat(SloVerdict.judge(slos, canary, null, 100, null, RunDetails.of(status)).outcome()).isEqualTo(Verdict.Outcome.PASSED);

        status.certification = certified(radius("0.5", "0.9"));
        v = SloVerdict.judge(slos, canary, null, 100, null, RunDetails.of(status));
        assertThat(v.outcome()).as("another radius is not this one").isEqualTo(Verdict.Outcome.INCONCLUSIVE);
        assertThat(v.missing()).containsExactly("certifiedAccuracy at L2 radius 0.25 not measured");
        assertThat(SloVerdict.judge(slos, canary, null, 100, null, RunDetails.of(new io.robustml.crds.run.AdversarialTestRunStatus()))
                .outcome()).isEqualTo(Verdict.Outcome.INCONCLUSIVE);
    }

    private static io.robustml.crds.run.AdversarialTestRunStatus.CertificationResult certified(
            io.robustml.crds.run.AdversarialTestRunStatus.CertifiedRadius... radii) {
        return new io.robustml.crds.run.AdversarialTestRunStatus.CertificationResult(0.25, 100, 1000, 0.001, 100, 0, 0.7,
                java.util.List.of(radii), 1.0);
    }

    private static io.robustml.crds.run.AdversarialTestRunStatus.CertifiedRadius radius(String radius, String accuracy) {
        return new io.robustml.crds.run.AdversarialTestRunStatus.CertifiedRadius(io.robustml.crds.Decimals.value(radius),
                io.robustml.crds.Decimals.value(accuracy), null);
    }

    @org.junit.jupiter.api.Test
    void perClassFiguresComeFromTheAttacksThatRan() {
        var status = new io.robustml.crds.run.AdversarialTestRunStatus();
        var pgd = attack(null, classResult("sneaker", "0.2"), classResult("bag", "0.6"));
        var fgsm = attack(null, classResult("sneaker", "0.3"), classResult("bag", "NaN"));
        var square = attack("label-only endpoint", classResult("sneaker", "0.9"));
        status.attacks = java.util.List.of(pgd, fgsm, square);
        status.corpus = new io.robustml.crds.run.AdversarialTestRunStatus.CorpusResult(100, 0.97, null);
        RunDetails d = RunDetails.of(status);
        assertThat(d.worstClassSuccess()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("sneaker", 0.3, "bag", 0.6));
        assertThat(d.corpusSuccessRate()).isEqualTo(0.97);
    }

    private static io.robustml.crds.run.AdversarialTestRunStatus.AttackResult attack(String skipped,
            io.robustml.crds.run.AdversarialTestRunStatus.ClassResult... perClass) {
        return new io.robustml.crds.run.AdversarialTestRunStatus.AttackResult("a", "pgd", "linf", 0.1, null, null, null, 100, null,
                null, null, null, null, null, null, null, null, null, skipped, null, java.util.List.of(perClass), null);
    }

    /** A class's figure as the wire carries it: a decimal string, "NaN" (not one) reading as absent. */
    private static io.robustml.crds.run.AdversarialTestRunStatus.ClassResult classResult(String name, String asr) {
        return new io.robustml.crds.run.AdversarialTestRunStatus.ClassResult(name, 10, io.robustml.crds.Decimals.value(asr), null);
    }
}
