package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.run.AdversarialTestRunStatus;
import org.junit.jupiter.api.Test;

/** Measured numbers are doubles in Java and decimal strings on the wire, read back leniently. */
class DecimalTest {
    @Test
    void writesAtMostSixPlacesNeverAnExponentAndNothingForAbsentOrNotFinite() {
        assertThat(Decimals.text(0.9545454545)).isEqualTo("0.954545");
        assertThat(Decimals.text(0.0)).isEqualTo("0");
        assertThat(Decimals.text(1.0)).isEqualTo("1");
        assertThat(Decimals.text(0.00001)).isEqualTo("0.00001");
        assertThat(Decimals.text(1234567.5)).isEqualTo("1234567.5");
        assertThat(Decimals.text(null)).isNull();
        assertThat(Decimals.text(Double.NaN)).isNull();
        assertThat(Decimals.text(Double.POSITIVE_INFINITY)).isNull();
    }

    @Test
    void aStatusRoundTripsAsDecimalStringsAndReadsWhatIsNotADecimalAsAbsent() {
        AdversarialTestRunStatus s = new AdversarialTestRunStatus();
        s.cleanAccuracy = 0.9035087719;
        s.adversarialSuccessRate = Double.NaN;
        s.detector = new AdversarialTestRunStatus.DetectorMetrics(1.0, 0.425, 0.0, 0, 17, 40);
        String json = Serialization.asJson(s);
        assertThat(json).contains("\"cleanAccuracy\":\"0.903509\"", "\"recall\":\"0.425\"", "\"precision\":\"1\"",
                "\"flaggedAdversarial\":17", "\"adversarialSuccessRate\":null");
        AdversarialTestRunStatus back = Serialization.unmarshal(json, AdversarialTestRunStatus.class);
        assertThat(back.cleanAccuracy).isEqualTo(0.903509);
        assertThat(back.detector).isEqualTo(new AdversarialTestRunStatus.DetectorMetrics(1.0, 0.425, 0.0, 0, 17, 40));

        AdversarialTestRunStatus odd = Serialization.unmarshal("{\"cleanAccuracy\": \"high\", \"adversarialSuccessRate\": 0.25, "
                + "\"detector\": {\"recall\": \"1e400\", \"precision\": \" 0.5 \"}}", AdversarialTestRunStatus.class);
        assertThat(odd.cleanAccuracy).as("not a decimal: absent, never a number").isNull();
        assertThat(odd.adversarialSuccessRate).as("a plain JSON number is read too").isEqualTo(0.25);
        assertThat(odd.detector.recall()).as("not finite as a double").isNull();
        assertThat(odd.detector.precision()).isEqualTo(0.5);
    }
}
