package io.robustml.oip.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** detector.json as one type: defaults declared once, a round trip loses nothing, errors name the field. */
class DetectorConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static DetectorConfig read(String json) {
        return DetectorConfig.read(JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAbsentFieldTakesTheContractsDefault() {
        DetectorConfig.Detector d = read("{}").detector();
        assertThat(d.methods()).isEmpty();
        assertThat(d.action()).isEqualTo(DetectorConfig.Action.FLAG);
        assertThat(d.featureSqueezing().bitDepth()).isEqualTo(DetectorConfig.FeatureSqueezing.DEFAULT_BIT_DEPTH);
        assertThat(d.featureSqueezing().threshold()).as("not calibrated: nothing flagged").isNull();
        assertThat(d.querySimilarity().matchThreshold()).isEqualTo(DetectorConfig.QuerySimilarity.DEFAULT_MATCH_THRESHOLD);
        assertThat(d.extraction().delta()).isEqualTo(DetectorConfig.Extraction.DEFAULT_DELTA);
        assertThat(d.forensicLog().retentionSeconds()).isEqualTo(720L * 3600);
        assertThat(d.sharedStore().onFailure()).isEqualTo(DetectorConfig.StoreFailure.OPEN);
        assertThat(d.rateLimit()).as("absent: the sidecar's own limit applies").isNull();
        assertThat(d.authentication()).isNull();
        assertThat(read("{\"detector\":{\"authentication\":{\"apiKeys\":true}}}").detector().authentication().anonymous())
                .as("keys checked: unknown callers denied by default").isEqualTo(DetectorConfig.Anonymous.DENY);
    }

    @Test
    void whatIsWrittenIsWhatIsRead() throws Exception {
        DetectorConfig written = new DetectorConfig("fashion", List.of("t-shirt", "trouser"), new DetectorConfig.Detector(
                Set.of(DetectorConfig.Method.EXTRACTION, DetectorConfig.Method.FEATURE_SQUEEZING), DetectorConfig.Action.FALLBACK,
                new DetectorConfig.FeatureSqueezing(0.6516, 0.05, 3, 2), new DetectorConfig.QuerySimilarity(25, 20, 50, null),
                new DetectorConfig.Extraction(0.92), new DetectorConfig.RateLimit(600, 50, 10_000),
                new DetectorConfig.OutputHardening(DetectorConfig.Exposure.TOP_K, 3, 2),
                List.of(new DetectorConfig.BlockedClient(null, "10.0.0.0/8", "INC-1")), new DetectorConfig.ForensicLog(false, "90s"),
                new DetectorConfig.Authentication(true, DetectorConfig.Anonymous.SOURCE_ADDRESS, List.of("192.0.2.0/24")),
                new DetectorConfig.SharedStore(DetectorConfig.StoreFailure.CLOSED),
                new DetectorConfig.Fallback(DetectorConfig.FallbackType.SERVICE, new DetectorConfig.Service("safe", 8080))));
        String json = JSON.writeValueAsString(written);
        assertThat(read(json)).isEqualTo(written);
        assertThat(json).contains("\"methods\":[\"featureSqueezing\",\"extraction\"]").as("declaration order: the same bytes every time")
                .contains("\"exposure\":\"topK\"").contains("\"onFailure\":\"closed\"");
    }

    @Test
    void anInvalidFieldIsRefusedWithItsPath() {
        assertThatThrownBy(() -> read("{\"detector\":{\"methods\":[\"querySimilarity\",\"telepathy\"]}}"))
                .hasMessage("detector.methods[1]: 'telepathy' is not one of [featureSqueezing, querySimilarity, extraction]");
        assertThatThrownBy(() -> read("{\"detector\":{\"querySimilarity\":{\"matchThreshold\":51}}}"))
                .hasMessage("detector.querySimilarity.matchThreshold must be 1-50, got 51");
        assertThatThrownBy(() -> read("{\"detector\":{\"outputHardening\":{\"exposure\":\"topK\"}}}"))
                .hasMessage("detector.outputHardening.exposure topK needs topK >= 1");
        assertThatThrownBy(() -> read("{\"detector\":{\"fallback\":{\"type\":\"service\"}}}"))
                .hasMessage("detector.fallback type service needs fallback.service.name");
        assertThatThrownBy(() -> read("{\"labels\":\"shirt\"}")).hasMessage("labels must be a list");
        assertThatThrownBy(() -> read("{\"detector\":{\"action\":\"blok\"")).as("truncated: the syntax is said first")
                .hasMessageStartingWith("the detector config is not valid JSON");
        assertThatThrownBy(() -> read(" ")).hasMessage("the detector config is empty");
    }

    @Test
    void columnsAreReadAndCheckedAndAWindowFollowsARowsLength() {
        assertThat(read("{}").columns()).isEmpty();
        assertThat(read("{\"columns\":[{\"min\":0,\"max\":10}]}").columns()).containsExactly(new DetectorConfig.Column(0, 10));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("{\"columns\":[{\"min\":3,\"max\":3}]}"))
                .hasMessageContaining("columns[].min must be below columns[].max");
        assertThat(DetectorConfig.scaled(java.util.List.of(), new float[] {7f})).containsExactly(7f);
        assertThat(DetectorConfig.QuerySimilarity.tabularWindow(30)).isEqualTo(7);
        assertThat(DetectorConfig.QuerySimilarity.tabularWindow(4)).isEqualTo(2);
        assertThat(DetectorConfig.QuerySimilarity.tabularWindow(1000)).isEqualTo(DetectorConfig.QuerySimilarity.DEFAULT_WINDOW_SIZE);
    }
}
