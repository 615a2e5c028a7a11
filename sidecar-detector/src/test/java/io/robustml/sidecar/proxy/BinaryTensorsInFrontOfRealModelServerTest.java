package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.InferenceResponse;
import io.robustml.oip.Tensor;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.oip.similarity.FingerprintTable;
import io.robustml.sidecar.detect.Prada;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binary tensor data extension through the sidecar, every detector on (squeezing, similarity,
 * extraction; action flag, no output hardening), in front of the real model server: binary requests are
 * inspected and answered exactly as the model server answers them, in the format the caller asked for;
 * malformed binary framings get a JSON 400 from the sidecar and leave detector state alone.
 */
@QuarkusTest
@TestProfile(BinaryTensorsInFrontOfRealModelServerTest.Detectors.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class BinaryTensorsInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LabelledImages test;

    public static class Detectors implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config", Path.of("src/test/resources/detector-binary.json").toAbsolutePath().toString(),
                    "robustml.verdict-api-keys", "tester-key");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "robustml.upstream")
    String upstream;

    @Inject
    InspectionFlow flow;

    @BeforeAll
    static void data() throws Exception {
        test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 1000);
    }

    private static float[] images(int from, int count) {
        float[] flat = new float[count * 784];
        for (int i = 0; i < count; i++) {
            System.arraycopy(test.images()[from + i], 0, flat, i * 784, 784);
        }
        return flat;
    }

    /** A request with a binary FP32 input; {@code binaryOut}: ask for every output as binary. */
    private static BinaryTensors.Encoded binary(int from, int count, boolean binaryOut) throws Exception {
        Map<String, Object> params = binaryOut ? Map.of(BinaryTensors.BINARY_DATA_OUTPUT, true) : null;
        return BinaryTensors.encode(new InferenceRequest(null, params,
                List.of(BinaryTensors.fp32("input", new long[] {count, 1, 28, 28}, images(from, count))), null), JSON);
    }

    private static String json(int from, int count) throws Exception {
        return JSON.writeValueAsString(new InferenceRequest(null, null, List.of(new Tensor("input",
                new long[] {count, 1, 28, 28}, "FP32", null, TensorCodec.toJson(images(from, count)))), null));
    }

    private static HttpResponse<byte[]> post(URI uri, byte[] body, String headerLength, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("content-type", headerLength == null ? "application/json" : "application/octet-stream");
        if (headerLength != null) {
            b.header(BinaryTensors.HEADER, headerLength);
        }
        if (apiKey != null) {
            b.header(ClientIdentity.API_KEY_HEADER, apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> post(URI uri, BinaryTensors.Encoded e, String apiKey) throws Exception {
        return post(uri, e.body(), Integer.toString(e.headerLength()), apiKey);
    }

    private static InferenceResponse decode(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo(200);
        return BinaryTensors.decodeResponse(r.body(), r.headers().firstValue(BinaryTensors.HEADER).orElse(null), JSON);
    }

    private URI sidecar() {
        return URI.create(base.toString()).resolve("v2/models/fashion/infer");
    }

    private URI model() {
        return URI.create(upstream + "/v2/models/fashion/infer");
    }

    /** Logits and labels of an answer, binary or JSON. */
    private static float[] logits(InferenceResponse r) {
        Tensor t = r.outputs().stream().filter(o -> o.name().equals("logits")).findFirst().orElseThrow();
        return TensorCodec.toFloats(t, Integer.MAX_VALUE);
    }

    private static long[] labels(InferenceResponse r) {
        Tensor t = r.outputs().stream().filter(o -> o.name().equals("label")).findFirst().orElseThrow();
        return BinaryTensors.toLongs(t);
    }

    @Test
    void binaryBatchesGetTheModelServersAnswersInTheFormatAsked() throws Exception {
        for (int count : new int[] {1, 64}) {
            int from = count == 1 ? 0 : 100;
            BinaryTensors.Encoded request = binary(from, count, true);
            InferenceResponse direct = decode(post(model(), request, null));
            HttpResponse<byte[]> viaSidecar = post(sidecar(), request, "tester-key");
            InferenceResponse via = decode(viaSidecar);
            assertThat(viaSidecar.headers().firstValue(BinaryTensors.HEADER)).as("binary in, binary out").isPresent();
            assertThat(viaSidecar.headers().firstValue("content-type")).contains("application/octet-stream");
            assertThat(via.outputs()).allMatch(BinaryTensors::isBinary);
            assertSameAnswer(via, direct, "batch " + count);
            assertThat(viaSidecar.headers().firstValue(ProxyRoutes.FLAGGED_HEADER).orElseThrow().split(","))
                    .as("the detectors looked at every row").hasSize(count);

            // Binary in, JSON out (the default): plain JSON with the same numbers as the model's JSON answer.
            BinaryTensors.Encoded jsonOut = binary(from, count, false);
            HttpResponse<byte[]> plain = post(sidecar(), jsonOut, "tester-key");
            assertThat(plain.headers().firstValue(BinaryTensors.HEADER)).isEmpty();
            InferenceResponse p = JSON.readValue(plain.body(), InferenceResponse.class);
            assertThat(logits(p)).containsExactly(logits(via));
            assertThat(labels(p)).containsExactly(labels(via));

            // The same images as JSON from a client without verdicts (action flag: answered first, inspected after):
            // the same rows upstream as the direct call, so bit for bit its answer (one decoding path).
            InferenceResponse fromJson = JSON.readValue(post(sidecar(), json(from, count).getBytes(StandardCharsets.UTF_8),
                    null, "someone").body(), InferenceResponse.class);
            assertThat(logits(fromJson)).containsExactly(logits(direct));
            assertThat(labels(fromJson)).containsExactly(labels(direct));
        }
    }

    @Test
    void perOutputChoiceIsKept() throws Exception {
        InferenceRequest r = new InferenceRequest(null, null,
                List.of(BinaryTensors.fp32("input", new long[] {2, 1, 28, 28}, images(300, 2))),
                List.of(new InferenceRequest.RequestedOutput("logits", Map.of(BinaryTensors.BINARY_DATA, false)),
                        new InferenceRequest.RequestedOutput("label", Map.of(BinaryTensors.BINARY_DATA, true))));
        BinaryTensors.Encoded e = BinaryTensors.encode(r, JSON);
        InferenceResponse direct = decode(post(model(), e, null));
        InferenceResponse via = decode(post(sidecar(), e, null));
        assertThat(BinaryTensors.isBinary(via.outputs().get(0))).isFalse();
        assertThat(BinaryTensors.isBinary(via.outputs().get(1))).isTrue();
        assertSameAnswer(via, direct, "per-output choice");
    }

    /**
     * Feature squeezing sends the rows with their squeezed copies as one 3n-row batch, and a forward pass
     * over a different batch size may differ in the last float bits (measured: up to 2e-6): labels exact,
     * logits within 1e-4.
     */
    private static void assertSameAnswer(InferenceResponse via, InferenceResponse direct, String what) {
        float[] a = logits(via);
        float[] b = logits(direct);
        assertThat(a).as(what).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as(what + " logit " + i).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        assertThat(labels(via)).as(what).containsExactly(labels(direct));
    }

    @Test
    void malformedBinaryRequestsGetAJsonErrorAndLeaveDetectorStateAlone() throws Exception {
        FingerprintTable store = flow.fingerprintStore();
        Prada prada = flow.extractionDetector();
        BinaryTensors.Encoded good = binary(500, 2, true);
        byte[] body = good.body();
        int h = good.headerLength();
        String header = new String(body, 0, h, StandardCharsets.UTF_8);
        byte[] tensor = Arrays.copyOfRange(body, h, body.length);
        Map<String, Object[]> cases = new LinkedHashMap<>();
        String lyingSize = header.replace("\"binary_data_size\":6272", "\"binary_data_size\":6268");
        cases.put("size that disagrees with the shape", new Object[] {concat(lyingSize, Arrays.copyOf(tensor, 6268)),
            Integer.toString(lyingSize.length())});
        cases.put("truncated body", new Object[] {Arrays.copyOf(body, body.length - 100), Integer.toString(h)});
        cases.put("header length past the body", new Object[] {body, Integer.toString(body.length + 1)});
        cases.put("header length not a number", new Object[] {body, "lots"});
        cases.put("negative header length", new Object[] {body, "-4"});
        cases.put("bytes after the tensors", new Object[] {concat(header, concat(new String(tensor, StandardCharsets.ISO_8859_1),
            new byte[] {1, 2, 3})), Integer.toString(h)});
        String fp8 = header.replace("\"FP32\"", "\"FP8\"");
        cases.put("unknown datatype", new Object[] {concat(fp8, tensor), Integer.toString(fp8.length())});
        String huge = header.replace("[2,1,28,28]", "[2,1,28,9223372036854775807]");
        cases.put("shape that overflows", new Object[] {concat(huge, tensor), Integer.toString(huge.length())});
        cases.put("binary_data_size without the header", new Object[] {body, null});
        cases.put("header length cutting the JSON", new Object[] {body, Integer.toString(h - 5)});
        for (Map.Entry<String, Object[]> c : cases.entrySet()) {
            Inspections.awaitIdle(flow);
            int storeBefore = store.size();
            long observedBefore = prada.observations();
            HttpResponse<byte[]> r = post(sidecar(), (byte[]) c.getValue()[0], (String) c.getValue()[1], "tester-key");
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(c.getKey() + ": " + text).isEqualTo(400);
            assertThat(r.headers().firstValue("content-type")).as(c.getKey()).get().asString().startsWith("application/json");
            assertThat(JSON.readTree(text).path("error").isTextual()).as(c.getKey() + ": " + text).isTrue();
            assertThat(store.size()).as(c.getKey()).isEqualTo(storeBefore);
            assertThat(prada.observations()).as(c.getKey()).isEqualTo(observedBefore);
        }
        // Still answering, and the well-formed request is inspected.
        HttpResponse<byte[]> ok = post(sidecar(), good, "tester-key");
        assertThat(decode(ok).outputs()).hasSize(2);
        assertThat(store.size()).isGreaterThan(0);
    }

    @Test
    void metadataIsPassedThroughWithTheExtension() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve("v2")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode meta = JSON.readTree(r.body());
        assertThat(meta.path("extensions").toString()).contains(BinaryTensors.EXTENSION);
    }

    private static byte[] concat(String header, byte[] tail) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(h, h.length + tail.length);
        System.arraycopy(tail, 0, out, h.length, tail.length);
        return out;
    }
}
