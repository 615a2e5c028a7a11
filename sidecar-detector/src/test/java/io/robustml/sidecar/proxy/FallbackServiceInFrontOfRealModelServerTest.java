package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * action fallback to a service: flagged requests are answered by another real model server (the
 * robust reference model), clean ones by the standard model; exposure label applies to both.
 */
@QuarkusTest
@TestProfile(FallbackServiceInFrontOfRealModelServerTest.Service.class)
@QuarkusTestResource(value = TwoModelServers.class, restrictToAnnotatedClass = true)
class FallbackServiceInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static class Service implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config",
                    Path.of("src/test/resources/detector-fallback-service.json").toAbsolutePath().toString());
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @ConfigProperty(name = "robustml.upstream")
    String standard;

    @ConfigProperty(name = "robustml.fallback.url")
    String robust;

    @Test
    void flaggedRequestsAreAnsweredByTheFallbackServiceWithLabelsOnly() throws Exception {
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 400);
        // An image the two models label differently, so the answer shows which one spoke.
        int chosen = -1;
        for (int i = 0; i < 400 && chosen < 0; i++) {
            String body = FallbackInFrontOfRealModelServerTest.request(test.images()[i], null);
            int s = label(FallbackInFrontOfRealModelServerTest.post(URI.create(standard + "/v2/models/fashion/infer"), body, null));
            int r = label(FallbackInFrontOfRealModelServerTest.post(URI.create(robust + "/v2/models/fashion/infer"), body, null));
            chosen = s != r ? i : -1;
        }
        assertThat(chosen).as("the standard and robust models disagree on some test image").isNotNegative();
        String body = FallbackInFrontOfRealModelServerTest.request(test.images()[chosen], null);
        int standardLabel = label(FallbackInFrontOfRealModelServerTest.post(URI.create(standard + "/v2/models/fashion/infer"), body, null));
        int robustLabel = label(FallbackInFrontOfRealModelServerTest.post(URI.create(robust + "/v2/models/fashion/infer"), body, null));

        HttpResponse<String> first = FallbackInFrontOfRealModelServerTest.post(infer.toURI(), body, "k1");
        JsonNode a = JSON.readTree(first.body());
        assertThat(a.path("outputs")).as("exposure label: scores are not shown").hasSize(1);
        assertThat(a.at("/outputs/0/name").asText()).isEqualTo("label");
        assertThat(a.at("/outputs/0/data/0").asInt()).isEqualTo(standardLabel);

        HttpResponse<String> again = FallbackInFrontOfRealModelServerTest.post(infer.toURI(), body, "k2");
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode b = JSON.readTree(again.body());
        assertThat(b.path("outputs")).hasSize(1);
        assertThat(b.at("/outputs/0/data/0").asInt()).as("the fallback (robust) model answered").isEqualTo(robustLabel);
    }

    private static int label(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).at("/outputs/1/data/0").asInt();
    }
}
