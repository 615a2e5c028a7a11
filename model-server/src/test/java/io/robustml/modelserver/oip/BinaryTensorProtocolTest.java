package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.Fixtures;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.InferenceResponse;
import io.robustml.oip.Tensor;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The binary tensor data extension against the real server and the real model: framing as
 * tritonclient writes it, answers equal to the JSON path's, and every malformed size a 400 with a
 * JSON error while the server stays ready.
 */
@QuarkusTest
class BinaryTensorProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String INFER = "v2/models/fashion/infer";

    @TestHTTPResource("/")
    URL base;

    record Reply(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        InferenceResponse response() throws Exception {
            return BinaryTensors.decodeResponse(body, header(BinaryTensors.HEADER), JSON);
        }

        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private Reply post(byte[] body, String headerLength) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.toURI().resolve(INFER))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headerLength != null) {
            b.header(BinaryTensors.HEADER, headerLength);
        }
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.headers().map(), r.body());
    }

    private Reply post(BinaryTensors.Encoded e) throws Exception {
        return post(e.body(), e.binary() ? String.valueOf(e.headerLength()) : null);
    }

    private int status(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @BeforeEach
    void waitUntilReady() {
        await().atMost(Duration.ofSeconds(60)).until(() -> status("v2/health/ready") == 200);
    }

    private static float[] rows(LabelledImages images, int count) {
        float[] data = new float[count * 784];
        for (int i = 0; i < count; i++) {
            System.arraycopy(images.images()[i], 0, data, i * 784, 784);
        }
        return data;
    }

    private static long[] shape(int batch) {
        return new long[] {batch, 1, 28, 28};
    }

    /** The same request with JSON tensors, as the existing clients send it. */
    private static byte[] jsonRequest(float[] data, int batch) {
        ObjectNode req = JSON.createObjectNode().put("id", "json");
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        ArrayNode s = input.putArray("shape");
        for (long d : shape(batch)) {
            s.add(d);
        }
        input.set("data", TensorCodec.toJson(data));
        return req.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static BinaryTensors.Encoded binaryRequest(Tensor input, Map<String, Object> params,
            List<InferenceRequest.RequestedOutput> outputs) throws Exception {
        return BinaryTensors.encode(new InferenceRequest("bin", params, List.of(input), outputs), JSON);
    }

    @Test
    void announcesTheExtension() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.toURI().resolve("v2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(r.body()).get("extensions").toString()).contains("binary_tensor_data");
    }

    @Test
    void binaryBatchesOf1And64AnswerExactlyAsJsonDoes() throws Exception {
        LabelledImages test = Fixtures.testSet(64);
        JsonNode recorded = Fixtures.metrics().at("/models/standard/first3_test_logits");
        for (int batch : new int[] {1, 64}) {
            float[] data = rows(test, batch);
            Reply viaJson = post(jsonRequest(data, batch), null);
            assertThat(viaJson.status()).isEqualTo(200);
            assertThat(viaJson.header(BinaryTensors.HEADER)).isNull();
            float[] jsonLogits = TensorCodec.toFloats(viaJson.response().outputs().get(0), 10_000);
            long[] jsonLabels = BinaryTensors.toLongs(viaJson.response().outputs().get(1));

            Reply viaBinary = post(binaryRequest(BinaryTensors.fp32("input", shape(batch), data),
                    Map.of(BinaryTensors.BINARY_DATA_OUTPUT, true), null));
            assertThat(viaBinary.status()).as(new String(viaBinary.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(viaBinary.header("content-type")).isEqualTo("application/octet-stream");
            int headerLength = Integer.parseInt(viaBinary.header(BinaryTensors.HEADER));
            // The header is JSON with sizes and no data; then 4 bytes per logit and 8 per label.
            JsonNode header = JSON.readTree(Arrays.copyOf(viaBinary.body(), headerLength));
            assertThat(header.get("id").asText()).isEqualTo("bin");
            assertThat(header.at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(batch * 10 * 4);
            assertThat(header.at("/outputs/0/data").isMissingNode()).isTrue();
            assertThat(header.at("/outputs/1/parameters/binary_data_size").asInt()).isEqualTo(batch * 8);
            assertThat(viaBinary.body()).hasSize(headerLength + batch * 10 * 4 + batch * 8);

            InferenceResponse r = viaBinary.response();
            assertThat(r.outputs().get(0).shape()).containsExactly(batch, 10);
            assertThat(TensorCodec.toFloats(r.outputs().get(0), 10_000)).as("batch %d logits", batch)
                    .containsExactly(jsonLogits);
            assertThat(BinaryTensors.toLongs(r.outputs().get(1))).containsExactly(jsonLabels);
            for (int i = 0; i < Math.min(batch, 3); i++) {
                for (int c = 0; c < 10; c++) {
                    assertThat(jsonLogits[i * 10 + c]).isCloseTo(recorded.get(i).get(c).floatValue(), Offset.offset(1e-3f));
                }
            }
            long correct = 0;
            for (int i = 0; i < batch; i++) {
                correct += jsonLabels[i] == test.labels()[i] ? 1 : 0;
            }
            assertThat(correct).as("batch %d correct labels", batch).isGreaterThanOrEqualTo(batch == 1 ? 1 : 50);
        }
    }

    @Test
    void binaryInputWithJsonOutputsAndPerOutputChoice() throws Exception {
        float[] data = rows(Fixtures.testSet(2), 2);
        Tensor input = BinaryTensors.fp32("input", shape(2), data);
        Reply expected = post(jsonRequest(data, 2), null);

        // No binary_data asked: the answer is plain JSON, though the request was binary.
        Reply json = post(binaryRequest(input, null, null));
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.header(BinaryTensors.HEADER)).isNull();
        assertThat(json.json().at("/outputs/0/data")).isEqualTo(expected.json().at("/outputs/0/data"));

        // binary_data_output for all, but the label's own binary_data=false wins for it.
        Reply mixed = post(binaryRequest(input, Map.of(BinaryTensors.BINARY_DATA_OUTPUT, true), List.of(
                new InferenceRequest.RequestedOutput("label", Map.of(BinaryTensors.BINARY_DATA, false)),
                new InferenceRequest.RequestedOutput("logits", null))));
        assertThat(mixed.status()).isEqualTo(200);
        InferenceResponse r = mixed.response();
        assertThat(r.outputs()).extracting(Tensor::name).containsExactly("logits", "label");
        assertThat(BinaryTensors.isBinary(r.outputs().get(0))).isTrue();
        assertThat(BinaryTensors.isBinary(r.outputs().get(1))).isFalse();
        assertThat(r.outputs().get(1).data()).isEqualTo(expected.json().at("/outputs/1/data"));

        // Only the label, binary, from a JSON request.
        ObjectNode req = (ObjectNode) JSON.readTree(jsonRequest(data, 2));
        req.putArray("outputs").addObject().put("name", "label").putObject("parameters").put("binary_data", true);
        Reply labelOnly = post(req.toString().getBytes(StandardCharsets.UTF_8), null);
        assertThat(labelOnly.status()).isEqualTo(200);
        assertThat(labelOnly.response().outputs()).hasSize(1);
        assertThat(BinaryTensors.toLongs(labelOnly.response().outputs().get(0)))
                .containsExactly(BinaryTensors.toLongs(expected.response().outputs().get(1)));
    }

    @Test
    void otherDatatypesReachTheModelAsTheSameFloats() throws Exception {
        // A binarised image: its 0/1 pixels are exact in every datatype, so every answer must be identical.
        float[] pixels = rows(Fixtures.testSet(1), 1);
        float[] binarised = new float[784];
        for (int i = 0; i < 784; i++) {
            binarised[i] = pixels[i] > 0.5f ? 1f : 0f;
        }
        Reply reference = post(jsonRequest(binarised, 1), null);
        JsonNode want = reference.json().at("/outputs/0/data");
        for (String type : List.of("FP16", "INT64", "INT32", "UINT8", "BOOL", "FP64")) {
            int size = switch (type) {
                case "UINT8", "BOOL" -> 1;
                case "FP16" -> 2;
                case "INT32" -> 4;
                default -> 8;
            };
            ByteBuffer b = ByteBuffer.allocate(784 * size).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : binarised) {
                switch (type) {
                    case "FP16" -> b.putShort((short) (v == 1f ? 0x3c00 : 0));
                    case "INT64" -> b.putLong((long) v);
                    case "INT32" -> b.putInt((int) v);
                    case "FP64" -> b.putDouble(v);
                    default -> b.put((byte) v);
                }
            }
            Reply r = post(binaryRequest(BinaryTensors.of("input", shape(1), type, b.array()), null, null));
            assertThat(r.status()).as(type + ": " + new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            assertThat(r.json().at("/outputs/0/data")).as(type).isEqualTo(want);
        }
        // FP16 with fractional values: the model sees exactly the half-precision numbers.
        ByteBuffer half = ByteBuffer.allocate(784 * 2).order(ByteOrder.LITTLE_ENDIAN);
        float[] asHalf = new float[784];
        for (int i = 0; i < 784; i++) {
            int q = Math.round(pixels[i] * 1024); // k/1024 in [0, 1] is exact in FP16
            asHalf[i] = q / 1024f;
            half.putShort(q == 0 ? 0 : halfBits(asHalf[i]));
        }
        Reply fp16 = post(binaryRequest(BinaryTensors.of("input", shape(1), "FP16", half.array()), null, null));
        assertThat(fp16.json().at("/outputs/0/data")).isEqualTo(post(jsonRequest(asHalf, 1), null).json().at("/outputs/0/data"));
    }

    /** FP16 bits of a positive normal float that half precision holds exactly. */
    private static short halfBits(float v) {
        int bits = Float.floatToIntBits(v);
        int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
        return (short) ((exponent << 10) | ((bits >>> 13) & 0x3ff));
    }

    @Test
    void malformedBinaryRequestsGet400WithAJsonErrorAndTheServerStaysReady() throws Exception {
        float[] data = rows(Fixtures.testSet(1), 1);
        BinaryTensors.Encoded good = binaryRequest(BinaryTensors.fp32("input", shape(1), data), null, null);
        int h = good.headerLength();
        String header = new String(good.body(), 0, h, StandardCharsets.UTF_8);
        byte[] tensor = Arrays.copyOfRange(good.body(), h, good.body().length);
        assertThat(tensor).hasSize(784 * 4);

        // binary_data_size that lies about the shape (declares and sends 3,132 bytes for 784 floats).
        assertError(framed(header.replace("3136", "3132"), Arrays.copyOf(tensor, 3132)),
                "shape [1, 1, 28, 28] of FP32 needs 3136 bytes but binary_data_size is 3132");
        // ... or about the body: declares more than follows (a truncated body).
        assertError(framed(header, Arrays.copyOf(tensor, 3000)),
                "binary_data_size 3136 runs past the end of the body (3000 bytes of tensor data left)");
        // ... or less than follows.
        assertError(framed(header, Arrays.copyOf(tensor, 4000)), "864 bytes follow the declared tensor data");
        // Shape and datatype that say FP16 while FP32 bytes are sent: sizes disagree.
        assertError(framed(header.replace("FP32", "FP16"), tensor),
                "shape [1, 1, 28, 28] of FP16 needs 1568 bytes but binary_data_size is 3136");
        // A huge shape with a small declared size: refused before any allocation.
        assertError(framed(header.replace("[1,1,28,28]", "[4000000000000,1,28,28]"), tensor), "needs more than");
        // The header length past the end of the body, negative, or not a number.
        assertError(post(good.body(), String.valueOf(good.body().length + 1)),
                "Inference-Header-Content-Length " + (good.body().length + 1) + " is past the end of the body");
        assertError(post(good.body(), "-3"), "negative");
        assertError(post(good.body(), "many"), "must be a byte count");
        // A header length that cuts the JSON short.
        assertError(post(good.body(), String.valueOf(h - 5)), "malformed JSON");
        // binary_data_size without the header.
        assertError(post(good.body(), null), "has no Inference-Header-Content-Length");
        assertError(post(header.getBytes(StandardCharsets.UTF_8), null), "has no Inference-Header-Content-Length");
        // Unknown and unsupported datatypes.
        assertError(framed(header.replace("FP32", "FLOAT4"), tensor), "unknown datatype 'FLOAT4'");
        assertError(framed(header.replace("FP32", "BYTES"), tensor), "BYTES");
        // Non-finite floats and non-0/1 booleans.
        byte[] nan = tensor.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(40, Float.NaN);
        assertError(framed(header, nan), "element 10 is NaN");
        String bool = header.replace("FP32", "BOOL").replace("3136", "784");
        byte[] twos = new byte[784];
        twos[5] = 2;
        assertError(framed(bool, twos), "BOOL element 5 is byte 2");
        // Non-boolean binary_data parameters.
        assertError(binaryRequest(BinaryTensors.fp32("input", shape(1), data),
                Map.of(BinaryTensors.BINARY_DATA_OUTPUT, "yes"), null), "binary_data_output must be true or false");
        // A binary batch above the limit is still a 400, not an allocation.
        assertError(framed(header.replace("[1,1,28,28]", "[5000,1,28,28]").replace("3136", String.valueOf(5000 * 3136)),
                new byte[0]), "runs past the end of the body");

        // Still ready, and still answering correctly.
        assertThat(status("v2/health/ready")).isEqualTo(200);
        Reply after = post(good);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().at("/outputs/0/shape").toString()).isEqualTo("[1,10]");
    }

    private Reply framed(String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(h, h.length + data.length);
        System.arraycopy(data, 0, body, h.length, data.length);
        return post(body, String.valueOf(h.length));
    }

    private void assertError(BinaryTensors.Encoded request, String message) throws Exception {
        assertError(post(request), message);
    }

    private static void assertError(Reply reply, String message) throws Exception {
        String text = new String(reply.body(), StandardCharsets.UTF_8);
        assertThat(reply.status()).as(text).isEqualTo(400);
        assertThat(reply.header("content-type")).isEqualTo("application/json");
        assertThat(reply.json().get("error").asText()).as(text).contains(message);
    }
}
