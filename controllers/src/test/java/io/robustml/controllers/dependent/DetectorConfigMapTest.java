package io.robustml.controllers.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.crds.RobustModel;
import io.robustml.oip.detector.DetectorConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every field of spec.detector reaches the sidecar through the detector.json contract, and nothing else does. */
class DetectorConfigMapTest {

    @Test
    void aFullyPopulatedSpecIsCarriedFieldByFieldAndRendersTheSameBytesTwice() {
        RobustModel model = Serialization.unmarshal("""
                apiVersion: robustml.io/v1alpha1
                kind: RobustModel
                metadata: {name: fraud, namespace: shop}
                spec:
                  model: {uri: "file:///models/fraud.pt", format: torchscript, labels: [ok, fraud]}
                  detector:
                    methods: [querySimilarity, extraction, featureSqueezing]
                    action: fallback
                    fallback: {type: service, service: {name: conservative, port: 9000}}
                    featureSqueezing: {threshold: "0.61", bitDepth: 3, medianWindow: 3}
                    querySimilarity: {matchThreshold: 24, windowSize: 15, quantization: 40}
                    extraction: {delta: "0.93"}
                    rateLimit: {requestsPerMinute: 600, burst: 20, dailyQuota: 5000}
                    outputHardening: {exposure: topK, topK: 2, roundingDecimals: 3}
                    blockedClients: [{cidr: 10.1.0.0/16, reason: INC-7}, {apiKey: scraper}]
                    forensicLog: {enabled: false, retention: 48h}
                    authentication: {apiKeysSecret: fraud-keys, anonymous: sourceAddress, trustedProxies: [{cidr: 192.0.2.0/24}]}
                    sharedStore: {secretRef: fraud-redis, onFailure: closed}
                """, RobustModel.class);
        String rendered = DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY);
        assertThat(DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY)).isEqualTo(rendered);
        DetectorConfig config = DetectorConfig.read(new ObjectMapper(), rendered.getBytes(StandardCharsets.UTF_8));
        DetectorConfig.Detector d = config.detector();
        assertThat(config.model()).isEqualTo("fraud");
        assertThat(config.labels()).containsExactly("ok", "fraud");
        assertThat(d.methods()).containsExactly(DetectorConfig.Method.FEATURE_SQUEEZING, DetectorConfig.Method.QUERY_SIMILARITY,
                DetectorConfig.Method.EXTRACTION);
        assertThat(d.action()).isEqualTo(DetectorConfig.Action.FALLBACK);
        assertThat(d.fallback()).isEqualTo(new DetectorConfig.Fallback(DetectorConfig.FallbackType.SERVICE,
                new DetectorConfig.Service("conservative", 9000)));
        assertThat(d.featureSqueezing()).isEqualTo(new DetectorConfig.FeatureSqueezing(0.61, null, 3, 3));
        assertThat(d.querySimilarity()).isEqualTo(new DetectorConfig.QuerySimilarity(24, 15, 40, null));
        assertThat(d.extraction().delta()).isEqualTo(0.93);
        assertThat(d.rateLimit()).isEqualTo(new DetectorConfig.RateLimit(600, 20, 5000));
        assertThat(d.outputHardening()).isEqualTo(new DetectorConfig.OutputHardening(DetectorConfig.Exposure.TOP_K, 2, 3));
        assertThat(d.blockedClients()).containsExactly(new DetectorConfig.BlockedClient(null, "10.1.0.0/16", "INC-7"),
                new DetectorConfig.BlockedClient("scraper", null, ""));
        assertThat(d.forensicLog()).isEqualTo(new DetectorConfig.ForensicLog(false, "48h"));
        assertThat(d.authentication()).isEqualTo(new DetectorConfig.Authentication(true, DetectorConfig.Anonymous.SOURCE_ADDRESS,
                java.util.List.of("192.0.2.0/24")));
        assertThat(d.sharedStore().onFailure()).isEqualTo(DetectorConfig.StoreFailure.CLOSED);
        assertThat(rendered).as("Secrets' names stay out: their content is mounted").doesNotContain("fraud-keys", "fraud-redis");
    }

    /** A tabular model's rows reach the detectors scaled by its columns, with a window from the row's length. */
    @Test
    void anImageModelsRangeIsRenderedOnlyWhenItIsNotTheUnitRange() {
        RobustModel model = Serialization.unmarshal("""
                apiVersion: robustml.io/v1alpha1
                kind: RobustModel
                metadata: {name: bytes, namespace: shop}
                spec:
                  model:
                    uri: "file:///models/m.pt"
                    format: torchscript
                    input: {shape: [3, 32, 32], range: {min: "0", max: "255"}}
                  detector: {methods: [featureSqueezing]}
                """, RobustModel.class);
        String json = DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY);
        assertThat(DetectorConfig.read(new ObjectMapper(), json.getBytes(StandardCharsets.UTF_8)).range())
                .isEqualTo(new DetectorConfig.Column(0, 255));
        model.getSpec().model.input.range.max = "1";
        String unit = DetectorConfigMap.desired(model).getData().get(DetectorConfigMap.KEY);
        assertThat(unit).as("a [0, 1] model's file is as it always was").doesNotContain("range");
        assertThat(DetectorConfig.read(new ObjectMapper(), unit.getBytes(StandardCharsets.UTF_8)).range()).isNull();
        assertThat(DetectorConfig.read(new ObjectMapper(), unit.getBytes(StandardCharsets.UTF_8)).channelsLast()).isNull();

        model.getSpec().model.input.shape = java.util.List.of(32, 32, 3);
        model.getSpec().model.input.layout = io.robustml.crds.model.ModelSpec.Layout.NHWC;
        var n = new io.robustml.crds.model.ModelSpec.NormalizationSpec();
        n.mean = java.util.List.of("0.4914", "0.4822", "0.4465");
        n.std = java.util.List.of("0.247", "0.2435", "0.2616");
        model.getSpec().model.input.normalization = n;
        DetectorConfig nhwc = DetectorConfig.read(new ObjectMapper(), DetectorConfigMap.desired(model).getData()
                .get(DetectorConfigMap.KEY).getBytes(StandardCharsets.UTF_8));
        assertThat(nhwc.channelsLast()).isEqualTo(new DetectorConfig.ChannelsLast(3));
        assertThat(nhwc.normalization().mean()).containsExactly(0.4914, 0.4822, 0.4465);
    }

    @Test
    void aTabularModelsColumnsAndWindowAreRendered() {
        RobustModel model = Serialization.unmarshal("""
                apiVersion: robustml.io/v1alpha1
                kind: RobustModel
                metadata: {name: fraud, namespace: shop}
                spec:
                  model:
                    uri: "file:///models/fraud.pt"
                    format: torchscript
                    input:
                      shape: [3]
                      features: [{name: amount, min: "0", max: "25000"}, {name: age, min: "18", max: "99", type: integer},
                                 {name: score, min: "-1", max: "1"}]
                  detector: {methods: [querySimilarity]}
                """, RobustModel.class);
        DetectorConfig config = DetectorConfig.read(new ObjectMapper(), DetectorConfigMap.desired(model).getData()
                .get(DetectorConfigMap.KEY).getBytes(StandardCharsets.UTF_8));
        assertThat(config.columns()).containsExactly(new DetectorConfig.Column(0, 25000), new DetectorConfig.Column(18, 99),
                new DetectorConfig.Column(-1, 1));
        assertThat(config.detector().querySimilarity().windowSize()).isEqualTo(DetectorConfig.QuerySimilarity.tabularWindow(3))
                .isEqualTo(2);
        assertThat(DetectorConfig.scaled(config.columns(), new float[] {12500, 99, -1})).containsExactly(0.5f, 1f, 0f);
        model.getSpec().detector.querySimilarity = new io.robustml.crds.model.DetectorSpec.QuerySimilaritySpec();
        model.getSpec().detector.querySimilarity.windowSize = 3;
        assertThat(DetectorConfigMap.config(model).detector().querySimilarity().windowSize()).as("the spec's wins").isEqualTo(3);
    }

    @Test
    void aFailedReScanWithOnFailureContainBlocksUntilARescanPassesOrAnotherRevisionServes() {
        RobustModel model = Serialization.unmarshal("""
                apiVersion: robustml.io/v1alpha1
                kind: RobustModel
                metadata: {name: fraud, namespace: shop}
                spec:
                  model: {uri: "file:///models/fraud.pt", format: torchscript}
                  detector: {action: flag}
                  rollout: {rescan: {onSuiteChange: true, onFailure: contain}}
                status:
                  stableRevision: rev1
                  lastRescan: {revision: rev1, verdict: Failed, runName: fraud-rev1-r1}
                """, RobustModel.class);
        assertThat(DetectorConfigMap.config(model).detector().action()).isEqualTo(DetectorConfig.Action.BLOCK);
        model.getStatus().lastRescan.verdict = "Passed";
        assertThat(DetectorConfigMap.config(model).detector().action()).as("a re-scan passed").isEqualTo(DetectorConfig.Action.FLAG);
        model.getStatus().lastRescan.verdict = "Failed";
        model.getStatus().stableRevision = "rev2";
        assertThat(DetectorConfigMap.config(model).detector().action()).as("another revision serves").isEqualTo(DetectorConfig.Action.FLAG);
        model.getStatus().stableRevision = "rev1";
        model.getSpec().rollout.rescan.onFailure = io.robustml.crds.model.RolloutSpec.OnFailure.ALERT;
        assertThat(DetectorConfigMap.config(model).detector().action()).as("alert only").isEqualTo(DetectorConfig.Action.FLAG);
    }
}
