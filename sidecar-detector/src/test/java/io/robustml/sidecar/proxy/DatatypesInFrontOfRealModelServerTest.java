package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No datatype reaches the model uninspected: the same pixels sent again under another datatype are
 * recognised by query similarity (action block), whichever of the protocol's numeric datatypes carries
 * them; what the detectors cannot read is a 400 that says why, never a pass and never a 5xx.
 */
@QuarkusTest
@TestProfile(DatatypesInFrontOfRealModelServerTest.SimilarityBlock.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class DatatypesInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LabelledImages test;

    /** Its own profile, so its own sidecar: no query of another test class is in the similarity store. */
    public static class SimilarityBlock implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config",
                    Path.of("src/test/resources/detector-similarity-block.json").toAbsolutePath().toString(),
                    "robustml.rate-limit.requests-per-minute", "6000", "robustml.rate-limit.burst", "1000");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @BeforeAll
    static void dataset() throws Exception {
        test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 40);
    }

    private static ObjectNode request(String datatype, float[] image, DoubleFunction<JsonNode> value) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", datatype);
        input.putArray("shape").add(1).add(1).add(28).add(28);
        ArrayNode data = input.putArray("data");
        for (float v : image) {
            data.add(value.apply(v));
        }
        return req;
    }

    private static ObjectNode floats(String datatype, float[] image) {
        return request(datatype, image, v -> JSON.getNodeFactory().numberNode(v));
    }

    private HttpResponse<String> send(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int send(JsonNode body) throws Exception {
        return send(body.toString()).statusCode();
    }

    @Test
    void theSamePixelsUnderAnyNumericDatatypeAreInspected() throws Exception {
        float[] a = test.images()[1];
        assertThat(send(floats("FP32", a))).isEqualTo(200);
        assertThat(send(floats("BF16", a))).as("BF16 is inspected like FP32").isEqualTo(403);

        float[] b = test.images()[2];
        assertThat(send(floats("FP64", b))).isEqualTo(200);
        assertThat(send(floats("FP16", b))).as("FP16 after FP64").isEqualTo(403);

        float[] c = test.images()[3]; // a binarised image: the same numbers as BOOL and as every integer type
        float[] binary = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            binary[i] = c[i] > 0.5f ? 1f : 0f;
        }
        assertThat(send(request("BOOL", binary, v -> JSON.getNodeFactory().booleanNode(v > 0)))).isEqualTo(200);
        for (String integer : List.of("INT32", "INT64", "UINT8", "INT8", "UINT16")) {
            assertThat(send(request(integer, binary, v -> JSON.getNodeFactory().numberNode((long) v))))
                    .as("%s after BOOL", integer).isEqualTo(403);
        }
    }

    @Test
    void binaryBf16IsInspectedToo() throws Exception {
        float[] d = test.images()[4];
        ByteBuffer bf16 = ByteBuffer.allocate(d.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : d) {
            bf16.putShort((short) (Float.floatToIntBits(v) >>> 16));
        }
        BinaryTensors.Encoded e = BinaryTensors.encode(new InferenceRequest(null, null,
                List.of(BinaryTensors.of("input", new long[] {1, 1, 28, 28}, "BF16", bf16.array())), null), JSON);
        HttpRequest request = HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/octet-stream")
                .header(BinaryTensors.HEADER, Integer.toString(e.headerLength()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(e.body())).build();
        assertThat(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> again = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).as("its binary BF16 replay: " + again.body()).isEqualTo(403);
    }

    @Test
    void whatTheDetectorsCannotReadIsA400ThatSaysWhy() throws Exception {
        String good = floats("FP32", test.images()[5]).toString();
        assertError(send(good.replace("\"FP32\"", "\"BYTES\"")), "BYTES");
        ObjectNode twoInputs = (ObjectNode) JSON.readTree(good);
        ((ArrayNode) twoInputs.get("inputs")).add(twoInputs.get("inputs").get(0).deepCopy());
        assertError(send(twoInputs.toString()), "exactly one input");
        assertError(send(good.replace("[1,1,28,28]", "[784]")), "no batch dimension");
        assertError(send(good.replace("[1,1,28,28]", "[2,9223372036854775807]")), "exceeds the limit");
        assertError(send(good.replaceFirst("\"data\":\\[[^,]*,", "\"data\":[1e39,")), "32-bit float");
        assertThat(send(good).statusCode()).as("the sidecar still answers").isEqualTo(200);
    }

    private static void assertError(HttpResponse<String> r, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error").asText()).contains(message);
    }
}
