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
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The model server's codec under seeded random damage, JSON and binary: shapes near Long.MAX_VALUE,
 * every datatype, NaN/Inf and numbers beyond float range, truncated and padded binary data, header
 * lengths that lie, huge and odd headers. Every answer is a 200 or a 4xx with a JSON error — never a 5xx
 * (a header past the HTTP layer's size limit is a bare 431 from Netty, before any route).
 * {@code -Drobustml.fuzz.inputs=N -Drobustml.fuzz.seed=S} for a longer run.
 */
@QuarkusTest
class CodecFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String[] DATATYPES = {"FP32", "FP64", "FP16", "BF16", "INT8", "INT16", "INT32", "INT64", "UINT8",
        "UINT16", "UINT32", "UINT64", "BOOL", "BYTES", "", "fp32", "FP8"};
    private static final long[] DIMS = {-1, 0, 1, 2, 27, 28, 29, 1024, 1025, 1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE};
    private static final String[] NUMBERS = {"NaN", "Infinity", "1e39", "-1e39", "1e999", "1.7976931348623157e308", "-0",
        "9223372036854775808", "null", "true", "\"0.5\"", "[]", "{}"};

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @Test
    void damagedRequestsGetA4xxWithAJsonErrorNeverA5xx() throws Exception {
        int inputs = Integer.getInteger("robustml.fuzz.inputs", 300);
        long seed = Long.getLong("robustml.fuzz.seed", 7L);
        await().atMost(Duration.ofSeconds(60)).until(() -> HTTP.send(HttpRequest.newBuilder(infer.toURI().resolve("/v2/health/ready"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        float[] image = Fixtures.testSet(1).images()[0];
        SplittableRandom random = new SplittableRandom(seed);
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int k = 0; k < inputs; k++) {
            boolean binary = random.nextBoolean();
            byte[] body;
            String header = null;
            String what;
            if (binary) {
                BinaryTensors.Encoded good = BinaryTensors.encode(new InferenceRequest("fuzz", null,
                        List.of(BinaryTensors.fp32("input", new long[] {1, 1, 28, 28}, image)), null), JSON);
                int h = good.headerLength();
                String json = new String(good.body(), 0, h, StandardCharsets.UTF_8);
                byte[] data = Arrays.copyOfRange(good.body(), h, good.body().length);
                switch (random.nextInt(6)) {
                    case 0 -> json = json.replace("[1,1,28,28]", "[" + DIMS[random.nextInt(DIMS.length)] + ",1,28,"
                            + DIMS[random.nextInt(DIMS.length)] + "]");
                    case 1 -> json = json.replace("\"FP32\"", "\"" + DATATYPES[random.nextInt(DATATYPES.length)] + "\"");
                    case 2 -> data = Arrays.copyOf(data, random.nextInt(data.length + 64)); // truncated or padded
                    case 3 -> { // NaN, infinities, huge values in the raw floats
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                        b.putFloat(4 * random.nextInt(784), new float[] {Float.NaN, Float.POSITIVE_INFINITY, -Float.MAX_VALUE}
                                [random.nextInt(3)]);
                    }
                    case 4 -> json = json.replace("\"binary_data_size\":3136", "\"binary_data_size\":"
                            + new long[] {-1, 0, 3135, 3137, Long.MAX_VALUE}[random.nextInt(5)]);
                    default -> { }
                }
                byte[] head = json.getBytes(StandardCharsets.UTF_8);
                body = new byte[head.length + data.length];
                System.arraycopy(head, 0, body, 0, head.length);
                System.arraycopy(data, 0, body, head.length, data.length);
                header = switch (random.nextInt(5)) {
                    case 0 -> Integer.toString(head.length + random.nextInt(-8, 9));
                    case 1 -> List.of("-1", "lots", "99999999999999999999", "", " 12 ", "1".repeat(8000)).get(random.nextInt(6));
                    default -> Integer.toString(head.length);
                };
                what = "binary header=" + abbreviate(header) + " " + abbreviate(json);
            } else {
                ObjectNode req = JSON.createObjectNode();
                ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
                ArrayNode shape = input.putArray("shape").add(1).add(1).add(28).add(28);
                ArrayNode values = input.putArray("data");
                for (float v : image) {
                    values.add(v);
                }
                String text;
                switch (random.nextInt(5)) {
                    case 0 -> shape.set(random.nextInt(4), DIMS[random.nextInt(DIMS.length)]);
                    case 1 -> input.put("datatype", DATATYPES[random.nextInt(DATATYPES.length)]);
                    default -> { }
                }
                text = req.toString();
                if (random.nextInt(3) == 0) { // a bad token in place of one number
                    text = text.replaceFirst("\"data\":\\[[^,]*,", "\"data\":[" + NUMBERS[random.nextInt(NUMBERS.length)] + ",");
                }
                if (random.nextInt(8) == 0) {
                    text = text.substring(0, random.nextInt(text.length()));
                }
                body = text.getBytes(StandardCharsets.UTF_8);
                what = "json " + abbreviate(text);
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(infer.toURI()).timeout(Duration.ofSeconds(20))
                    .header("content-type", header == null ? "application/json" : "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (header != null && !header.isEmpty()) {
                b.header(BinaryTensors.HEADER, header);
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            statuses.merge(r.statusCode(), 1, Integer::sum);
            String at = "input " + k + " (seed " + seed + "): " + what + " -> " + r.statusCode() + " " + abbreviate(r.body());
            assertThat(r.statusCode()).as(at).isBetween(200, 499);
            if (r.statusCode() == 431) { // headers past the HTTP layer's limit: refused by Netty before any route, no body
                continue;
            }
            JsonNode answer = JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                assertThat(answer.path("error").isTextual()).as(at).isTrue();
            }
        }
        System.out.printf("[codec-fuzz] %d inputs from seed %d: statuses %s%n", inputs, seed, statuses);
        assertThat(statuses).containsKeys(200, 400);
    }

    private static String abbreviate(String s) {
        return s.length() <= 240 ? s : s.substring(0, 120) + " … " + s.substring(s.length() - 100);
    }
}
