package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Action flag with the default detectors (feature squeezing and query similarity): the client gets the
 * model server's answer byte for byte, and the inspection that follows still sees everything — an
 * immediate replay is flagged by query similarity, and both requests are scored by feature squeezing.
 */
@QuarkusTest
@TestProfile(AnswerFirstInFrontOfRealModelServerTest.DefaultDetectors.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class AnswerFirstInFrontOfRealModelServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static class DefaultDetectors implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            ConfigFiles files = new ConfigFiles(Path.of("target/answer-first")).write("{\"model\":\"fashion\",\"detector\":{"
                    + "\"methods\":[\"featureSqueezing\",\"querySimilarity\"],\"action\":\"flag\","
                    + "\"featureSqueezing\":{\"threshold\":\"0.6516\"}}}", null);
            return Map.of("robustml.detector-config", files.detectorJson().toString(),
                    "robustml.rate-limit.requests-per-minute", "6000", "robustml.rate-limit.burst", "1000");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "robustml.upstream")
    String upstream;

    @Inject
    InspectionFlow flow;

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersAsTheModelServerDoesAndStillFlagsAnImmediateReplay() throws Exception {
        URI base = infer.toURI().resolve("/");
        String body = Images.request(7);
        double flags = Metrics.value(base, "robustml_sidecar_flags_total{detector=\"querySimilarity\"}");
        double scored = Metrics.value(base, "robustml_sidecar_squeezing_score_count");
        HttpResponse<String> first = post(infer.toURI(), body);
        HttpResponse<String> replay = post(infer.toURI(), body); // sent the moment the first is answered
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(first.body()).as("the model server's own bytes").isEqualTo(post(URI.create(upstream + "/v2/models/fashion/infer"),
                body).body());
        Inspections.awaitIdle(flow);
        assertThat(Metrics.value(base, "robustml_sidecar_flags_total{detector=\"querySimilarity\"}")).isEqualTo(flags + 1);
        assertThat(Metrics.value(base, "robustml_sidecar_squeezing_score_count")).isEqualTo(scored + 2);
        assertThat(Metrics.value(base, "robustml_sidecar_requests_total{outcome=\"flagged\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void whatTheDetectorsCannotReadIsRefusedBeforeTheModelAnswers() throws Exception {
        String good = Images.request(3);
        Map<String, String> refusals = Map.of(
                good.replace("\"FP32\"", "\"BYTES\""), "BYTES",
                good.replace("\"inputs\":[{", "\"inputs\":[{\"name\":\"second\",\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[1]},{"),
                "exactly one input",
                good.replace("\"shape\":[1,1,28,28]", "\"shape\":[784]"), "no batch dimension",
                good.replace("\"shape\":[1,1,28,28]", "\"shape\":[2,9223372036854775807]"), "exceeds the limit",
                "{\"inputs\":7}", "exactly one input",
                "{\"inputs\":[", "malformed JSON");
        double inspected = Metrics.value(infer.toURI().resolve("/"), "robustml_sidecar_inspected_requests_total{inspected=\"true\"}");
        for (var e : refusals.entrySet()) {
            HttpResponse<String> r = post(infer.toURI(), e.getKey());
            assertThat(r.statusCode()).as(e.getValue()).isEqualTo(400);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(r.body()).as("the sidecar's own JSON error").contains("\"error\"").contains(e.getValue());
        }
        Inspections.awaitIdle(flow);
        assertThat(Metrics.value(infer.toURI().resolve("/"), "robustml_sidecar_inspected_requests_total{inspected=\"true\"}"))
                .as("nothing refused was inspected").isEqualTo(inspected);
    }
}
