package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sidecar in front of the real model server and the standard reference model. */
@QuarkusTest
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class ProxyInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URL base;

    private HttpResponse<String> post(String path, String body, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.toURI().resolve(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header(ClientIdentity.API_KEY_HEADER, apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String request(int count) throws Exception {
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), count);
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(count).add(1).add(28).add(28);
        ArrayNode data = input.putArray("data");
        for (int i = 0; i < count; i++) {
            for (float v : test.images()[i]) {
                data.add(v);
            }
        }
        return req.toString();
    }

    @Test
    void servesPredictionsAndHealthThroughTheSidecar() throws Exception {
        assertThat(get("v2/health/live").statusCode()).isEqualTo(200);
        assertThat(get("v2/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("v2/models/fashion").body()).contains("\"name\":\"fashion\"");
        HttpResponse<String> reply = post("v2/models/fashion/infer", request(3), "tester");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.at("/outputs/1/data").toString()).isEqualTo("[9,2,1]");
    }

    @Test
    void rejectsBadInputItselfAndPassesTheModelServersErrorsThrough() throws Exception {
        HttpResponse<String> malformed = post("v2/models/fashion/infer", "{\"inputs\": [", "tester");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("malformed JSON");
        assertThat(post("v2/models/fashion/infer", "[1,2]", "tester").statusCode()).isEqualTo(400);
        HttpResponse<String> wrongShape = post("v2/models/fashion/infer",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}", "tester");
        assertThat(wrongShape.statusCode()).isEqualTo(400);
        assertThat(wrongShape.body()).contains("does not match");
        assertThat(post("v2/models/shoes/infer", request(1), "tester").statusCode()).isEqualTo(404);
        String huge = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[" + "0,".repeat(700_000) + "0]}]}";
        assertThat(post("v2/models/fashion/infer", huge, "tester").statusCode()).isEqualTo(413);
        assertThat(post("v2/models/fashion/infer", request(1), "tester").statusCode()).isEqualTo(200);
    }

    @Test
    void rateLimitsEachSourceAddressWithRetryAfterWhateverKeyItInvents() throws Exception {
        String one = request(1);
        java.net.URI infer = base.toURI().resolve("v2/models/fashion/infer");
        String greedy = "127.0.0.3"; // its own loopback address, so the other tests' bucket (127.0.0.1) is untouched
        int limited = 0;
        RawHttp.Reply last = null;
        for (int i = 0; i < 230 && limited == 0; i++) {
            last = RawHttp.post(infer, greedy, Map.of(ClientIdentity.API_KEY_HEADER, "greedy-client"), one);
            limited += last.status() == 429 ? 1 : 0;
        }
        assertThat(limited).as("the burst is 200 requests").isEqualTo(1);
        assertThat(last.header("Retry-After")).isNotNull();
        assertThat(last.body()).contains("rate limit exceeded");
        // without detector.authentication a key is no identity: fresh keys from the same address are still limited.
        // Two in a row: the bucket refills one token a second (60/min), so a stall on a loaded machine may let one
        // through; a key that made a new client would pass both (a new bucket holds 200).
        int fresh429 = 0;
        for (int i = 0; i < 2; i++) {
            fresh429 += RawHttp.post(infer, greedy, Map.of(ClientIdentity.API_KEY_HEADER, "fresh-key-" + System.nanoTime()), one)
                    .status() == 429 ? 1 : 0;
        }
        assertThat(fresh429).as("fresh keys share the address's spent bucket").isPositive();
        // another address has its own bucket
        RawHttp.Reply other = RawHttp.post(infer, "127.0.0.4", Map.of(), one);
        assertThat(other.status()).as(other.body()).isEqualTo(200);
    }
}
