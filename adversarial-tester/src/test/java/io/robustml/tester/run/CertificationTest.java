package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.crds.run.AdversarialTestRunStatus.CertificationResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CertifiedClass;
import io.robustml.crds.run.AdversarialTestRunStatus.CertifiedRadius;
import io.robustml.crds.run.AdversarialTestRunStatus;
import io.robustml.tester.certify.Certify;
import io.robustml.tester.certify.Smoothing;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificationTest {
    private static final Smoothing SMOOTHING = new Smoothing(0.25, 100, 1000, 0.001, List.of(0.5, 0.25), 4);

    @Test
    void certifiedAccuracyCountsCorrectAnswersWithALargeEnoughRadiusAndAbstentionsAsWrong() {
        List<Certify.Certificate> certificates = List.of(
                new Certify.Certificate(0, 0.6, 999, 0.99), // right, certified beyond 0.5
                new Certify.Certificate(1, 0.3, 900, 0.88), // right, only within 0.3
                new Certify.Certificate(Certify.ABSTAIN, 0, 480, 0.45), // abstained
                new Certify.Certificate(0, 0.7, 1000, 0.99)); // wrong class, however sure
        int[] labels = {0, 1, 1, 1};
        CertificationResult r = Certification.summarise(SMOOTHING, certificates, labels, List.of("shirt", "bag"), 1.5);
        assertThat(r.examples()).isEqualTo(4);
        assertThat(r.abstained()).isEqualTo(1);
        assertThat(r.smoothedAccuracy()).isEqualTo(0.5);
        assertThat(r.radii()).extracting(CertifiedRadius::radius).as("ascending").containsExactly(0.25, 0.5);
        assertThat(r.radii()).extracting(CertifiedRadius::certifiedAccuracy).containsExactly(0.5, 0.25);
        assertThat(r.radii().get(0).perClass()).containsExactly(new CertifiedClass("shirt", 1, 1.0),
                new CertifiedClass("bag", 3, 1.0 / 3));
        assertThat(r.radii().get(1).perClass()).containsExactly(new CertifiedClass("shirt", 1, 1.0),
                new CertifiedClass("bag", 3, 0.0));

        AdversarialTestRunStatus status = new AdversarialTestRunStatus();
        new EvaluationReport("m", "r", "http://x", 4, 0.75, null, null, List.of(), new EvaluationReport.Timing(1.0, 0.0, 0.0), null, null,
                null, null, r).fill(status);
        assertThat(status.certification).isSameAs(r);
        // On the wire (the run's status, the report): decimal strings of at most six places.
        String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(status.certification);
        assertThat(json).contains("\"sigma\":\"0.25\"", "\"alpha\":\"0.001\"", "\"abstained\":1", "\"radius\":\"0.25\"",
                "\"certifiedAccuracy\":\"0.333333\"", "\"certifiedAccuracy\":\"1\"");
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(json, CertificationResult.class).radii().get(0).perClass().get(1).certifiedAccuracy())
                .isEqualTo(0.333333);
    }
}
