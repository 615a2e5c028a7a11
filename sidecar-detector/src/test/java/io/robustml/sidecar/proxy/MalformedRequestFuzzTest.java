package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzzer for inference requests, against the sidecar with every detector on, in front
 * of the real model server. Mutations: byte flips, truncation, inserted JSON tokens (NaN, 1e999, deep
 * nesting), and structural edits of valid requests (shapes, datatypes, data elements, inputs, ids,
 * parameters, requested outputs), odd headers, paths and raw bytes. Every input must get a 2xx or a
 * 4xx whose body is a JSON error — never a 5xx — and detector state must change only for answered
 * requests: the query-similarity store and PRADA grow by exactly the rows of 200 answers.
 *
 * <p>Normal runs try {@code robustml.fuzz.inputs} (default 400) inputs from seed {@code robustml.fuzz.seed}
 * (default 12); the long mode is e.g. {@code -Drobustml.fuzz.inputs=20000 -Drobustml.fuzz.seed=$RANDOM}.
 */
@QuarkusTest
@TestProfile(MalformedRequestFuzzTest.AllDetectors.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class MalformedRequestFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static class AllDetectors implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.detector-config", Path.of("src/test/resources/detector-all.json").toAbsolutePath().toString(),
                    "robustml.verdict-api-keys", "fuzzer",
                    "robustml.rate-limit.requests-per-minute", "1000000", "robustml.rate-limit.burst", "100000",
                    "robustml.forensic-log.dir", Path.of("target/forensic-fuzz").toAbsolutePath().toString());
        }
    }

    @TestHTTPResource("/")
    URL base;

    @ConfigProperty(name = "robustml.upstream")
    String upstream;

    @Inject
    InspectionFlow flow;

    private static final String[] TOKENS = {"NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e39", "-0", "null", "true",
        "\"x\"", "[]", "{}", "[[[[", "]]]", "}", "{", ",", ":", "\"", "\\u0000", "\uD800", "0x10", "01", "1.", ".5",
        "9223372036854775808", "-9223372036854775809", "\"FP32\"", "\"BYTES\""};
    private static final String[] DATATYPES = {"FP32", "FP64", "FP16", "BF16", "INT8", "UINT8", "INT64", "UINT64", "BOOL",
        "BYTES", "", "fp32", "FP128"};
    private static final long[] DIMS = {-1, 0, 1, 2, 3, 27, 28, 29, 784, 1025, 1L << 31, 1L << 40, Long.MAX_VALUE};

    private record Sent(String path, byte[] body, String apiKey, String contentType) {
    }

    @Test
    void malformedRequestsGetA4xxJsonErrorAndLeaveDetectorStateAlone() throws Exception {
        int inputs = Integer.getInteger("robustml.fuzz.inputs", 400);
        long seed = Long.getLong("robustml.fuzz.seed", 12L);
        LabelledImages test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 200);
        SplittableRandom random = new SplittableRandom(seed);
        FingerprintTable store = flow.fingerprintStore();
        Prada prada = flow.extractionDetector();
        Map<Integer, Integer> statuses = new TreeMap<>();
        long started = System.nanoTime();
        for (int k = 0; k < inputs; k++) {
            Sent sent = mutate(random, test);
            int storeBefore = store.size();
            long observedBefore = prada.observations();
            HttpResponse<String> r = send(sent);
            Inspections.awaitIdle(flow);
            statuses.merge(r.statusCode(), 1, Integer::sum);
            String what = "input " + k + " (seed " + seed + "): " + describe(sent) + " -> " + r.statusCode() + " " + abbreviate(r.body());
            assertThat(r.statusCode()).as(what).isBetween(200, 499);
            JsonNode body = JSON.readTree(r.body());
            List<Integer> allowed; // how much detector state may grow
            if (r.statusCode() >= 400) {
                assertThat(body.path("error").isTextual()).as("a JSON error: " + what).isTrue();
                allowed = List.of(0);
            } else if (r.headers().firstValue(ProxyRoutes.FLAGGED_HEADER).isPresent()) { // inspected, verdicts visible
                allowed = List.of(r.headers().firstValue(ProxyRoutes.FLAGGED_HEADER).get().split(",").length);
            } else { // answered and inspected (by rows answered); verdicts not visible to this key
                allowed = List.of(0, body.at("/outputs").findValues("shape").stream().mapToInt(sh -> sh.path(0).asInt())
                        .max().orElse(0));
            }
            assertThat(store.size() - storeBefore).as("similarity store grows only by answered rows: " + what).isIn(allowed);
            assertThat(prada.observations() - observedBefore).as("PRADA sees only answered rows: " + what)
                    .isEqualTo(store.size() - storeBefore);
        }
        Inspections.awaitIdle(flow);
        System.out.printf("[fuzz] %d inputs from seed %d in %.1f s: statuses %s%n", inputs, seed,
                (System.nanoTime() - started) / 1e9, statuses);

        // The detectors still work: a fresh image is answered as the model answers it and not flagged; its replay is.
        String clean = valid(test.images()[150], 1).toString();
        HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create(upstream + "/v2/models/fashion/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(clean)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> first = send(new Sent("v2/models/fashion/infer", clean.getBytes(StandardCharsets.UTF_8), "fuzzer",
                "application/json"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).contains("0");
        assertThat(JSON.readTree(first.body()).at("/outputs/2/data/0").asInt())
                .isEqualTo(JSON.readTree(direct.body()).at("/outputs/1/data/0").asInt());
        HttpResponse<String> replay = send(new Sent("v2/models/fashion/infer", clean.getBytes(StandardCharsets.UTF_8), "fuzzer",
                "application/json"));
        assertThat(replay.headers().firstValue(ProxyRoutes.FLAGGED_HEADER)).contains("1");
    }

    private HttpResponse<String> send(Sent s) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.toURI().resolve(s.path())).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(s.body()));
        if (s.contentType() != null) {
            b.header("content-type", s.contentType());
        }
        if (s.apiKey() != null) {
            b.header(ClientIdentity.API_KEY_HEADER, s.apiKey());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode valid(float[] image, int rows) {
        ObjectNode req = F.objectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(rows).add(1).add(28).add(28);
        float[] flat = new float[rows * 784];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(image, 0, flat, i * 784, 784);
            flat[i * 784 + i % 784] = (i % 7) / 7f; // rows differ a little
        }
        input.set("data", TensorCodec.toJson(flat));
        return req;
    }

    private Sent mutate(SplittableRandom r, LabelledImages test) {
        ObjectNode req = valid(test.images()[r.nextInt(100)], 1 + r.nextInt(2));
        String path = switch (r.nextInt(12)) {
            case 0 -> "v2/models/shoes/infer";
            case 1 -> "v2/models/fashion/versions/zz/infer";
            case 2 -> "v2/models//infer";
            case 3 -> "v2/models/fashion/ready";
            default -> "v2/models/fashion/infer";
        };
        String key = switch (r.nextInt(6)) {
            case 0 -> null; // no API key: the peer address identifies the client
            case 1 -> "k".repeat(1 + r.nextInt(4000));
            default -> "fuzzer";
        };
        String type = r.nextInt(8) == 0 ? List.of("text/plain", "application/octet-stream", "application/json; charset=latin1")
                .get(r.nextInt(3)) : "application/json";
        byte[] body;
        switch (r.nextInt(6)) {
            case 0 -> body = flipBytes(r, req.toString());
            case 1 -> {
                String t = req.toString();
                body = t.substring(0, r.nextInt(t.length())).getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> body = insertToken(r, req.toString());
            case 3 -> {
                byte[] raw = new byte[r.nextInt(2000)];
                r.nextBytes(raw);
                body = raw;
            }
            default -> {
                editStructure(r, req);
                body = req.toString().getBytes(StandardCharsets.UTF_8);
            }
        }
        if (r.nextInt(50) == 0) { // over the 1 MiB body limit of the test profile: 413
            String big = new String(body, StandardCharsets.ISO_8859_1);
            body = (big + " ".repeat(1_100_000)).getBytes(StandardCharsets.ISO_8859_1);
        }
        return new Sent(path, body, key, type);
    }

    private static byte[] flipBytes(SplittableRandom r, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0, n = 1 + r.nextInt(5); i < n; i++) {
            String alphabet = "{}[]\",:-eN0.9 \\\u0000x";
            b[r.nextInt(b.length)] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return b;
    }

    private static byte[] insertToken(SplittableRandom r, String text) {
        int at = r.nextInt(text.length());
        String token = r.nextInt(10) == 0 ? "[".repeat(5000) : TOKENS[r.nextInt(TOKENS.length)];
        return (text.substring(0, at) + token + text.substring(at)).getBytes(StandardCharsets.UTF_8);
    }

    private static void editStructure(SplittableRandom r, ObjectNode req) {
        ObjectNode input = (ObjectNode) req.get("inputs").get(0);
        ArrayNode data = (ArrayNode) input.get("data");
        switch (r.nextInt(14)) {
            case 0 -> {
                ArrayNode shape = input.putArray("shape");
                for (int d = 0, rank = r.nextInt(6); d < rank; d++) {
                    shape.add(DIMS[r.nextInt(DIMS.length)]);
                }
            }
            case 1 -> input.put("datatype", DATATYPES[r.nextInt(DATATYPES.length)]);
            case 2 -> data.set(r.nextInt(data.size()), List.of(F.textNode("NaN"), F.nullNode(), F.booleanNode(true),
                    F.numberNode(1e39), F.numberNode(-1e39), F.arrayNode(), F.objectNode(), F.numberNode(Double.MAX_VALUE))
                    .get(r.nextInt(8)));
            case 3 -> {
                for (int i = 0, n = 1 + r.nextInt(800); i < n && !data.isEmpty(); i++) {
                    data.remove(data.size() - 1);
                }
            }
            case 4 -> {
                for (int i = 0, n = 1 + r.nextInt(800); i < n; i++) {
                    data.add(r.nextFloat());
                }
            }
            case 5 -> input.set("data", List.of(F.textNode("abc"), F.objectNode(), F.nullNode(), F.numberNode(3))
                    .get(r.nextInt(4)));
            case 6 -> req.set("inputs", List.of(F.arrayNode(), F.objectNode(), F.textNode("x"), F.nullNode()).get(r.nextInt(4)));
            case 7 -> ((ArrayNode) req.get("inputs")).add(input.deepCopy()); // two inputs: a 400 (the detectors read one)
            case 8 -> input.remove(List.of("name", "shape", "datatype", "data").get(r.nextInt(4)));
            case 9 -> req.set("id", List.of(F.numberNode(7), F.objectNode(), F.textNode("i".repeat(10_000)), F.nullNode())
                    .get(r.nextInt(4)));
            case 10 -> req.putObject("parameters").put("binary_data_output", r.nextBoolean())
                    .put("binary_data_size", -r.nextInt(100));
            case 11 -> req.putArray("outputs").addObject().put("name", List.of("nope", "output", "label", "").get(r.nextInt(4)));
            case 12 -> input.put("shape", "[1,1,28,28]");
            default -> {
                ArrayNode nested = F.arrayNode(); // data nested as rows, with one row short
                for (int row = 0; row < 28; row++) {
                    ArrayNode line = nested.addArray();
                    for (int col = 0; col < (row == 5 ? 27 : 28); col++) {
                        line.add(0.5f);
                    }
                }
                input.set("data", nested);
            }
        }
    }

    private static String describe(Sent s) {
        String text = new String(s.body(), StandardCharsets.UTF_8);
        return s.path() + " key=" + (s.apiKey() == null ? "none" : s.apiKey().length() + " chars") + " type=" + s.contentType()
                + " body=" + abbreviate(text);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 150) + " … " + s.substring(s.length() - 150);
    }
}
