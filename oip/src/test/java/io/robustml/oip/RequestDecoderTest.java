package io.robustml.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The streaming decoder against the tree decoder it replaces on the hot path
 * ({@link BinaryTensors#decodeRequest} + {@link TensorCodec#toFloats}): on thousands of seeded requests —
 * valid and damaged, flat and nested, fields in any order, every datatype, JSON and binary — both give
 * the same floats bit for bit, or both refuse with the same message (an out-of-range number aside, which the
 * streaming decoder quotes as the client wrote it).
 */
class RequestDecoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] DATATYPES = {"FP32", "FP64", "FP16", "BF16", "INT8", "INT32", "INT64", "UINT8", "BOOL",
        "BYTES", "FP8"};
    private static final String[] ODD = {"1e39", "-1e39", "1e999", "-0", "9223372036854775808", "1e-50", "null", "true",
        "\"0.5\"", "[]", "{\"a\":1}", "2.5", "7"};
    private static final long MAX = 4096;

    @Test
    void givesTheTreeDecodersFloatsOrItsErrorOnSeededRequests() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int valid = 0;
        for (int i = 0; i < 4000; i++) {
            String body = request(random);
            Outcome tree = tree(body);
            Outcome stream = stream(body);
            if (tree.error != null && body.contains("\"in1\"")) {
                // Two inputs, both wrong: a buffered first input is decoded after a streamed second one.
                assertThat(stream.error).as(body).isNotNull();
            } else {
                assertThat(stream).as(body).isEqualTo(tree);
            }
            valid += tree.error == null ? 1 : 0;
        }
        assertThat(valid).as("valid requests among the seeded ones").isGreaterThan(800);
    }

    @Test
    void readsBinaryTensorsAfterTheJsonHeader() throws Exception {
        float[] values = {0.1f, -2.5f, 3e-8f, 1f};
        BinaryTensors.Encoded encoded = BinaryTensors.encode(new InferenceRequest("r", null,
                List.of(BinaryTensors.fp32("input", new long[] {1, 4}, values)), null), JSON);
        DecodedRequest decoded = RequestDecoder.decode(encoded.body(), String.valueOf(encoded.headerLength()), JSON, MAX,
                RequestDecoder.InputCheck.NONE);
        assertThat(decoded.values().get(0)).containsExactly(values);
        assertThat(decoded.request().inputs().get(0).parameters()).isNull();
        assertThat(decoded.request().id()).isEqualTo("r");
        byte[] padded = java.util.Arrays.copyOf(encoded.body(), encoded.body().length + 1);
        assertThatThrownBy(() -> RequestDecoder.decode(padded, String.valueOf(encoded.headerLength()), JSON, MAX,
                RequestDecoder.InputCheck.NONE)).isInstanceOf(InvalidTensorException.class).hasMessageContaining("1 bytes follow");
    }

    @Test
    void theCheckSeesTheSignatureBeforeTheDataIsRead() {
        String body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[9223372036854775807],\"datatype\":\"FP32\",\"data\":[1,2,\"never read\"]}]}";
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> RequestDecoder.decode(body.getBytes(StandardCharsets.UTF_8), null, JSON, MAX,
                (index, name, shape, datatype) -> {
                    seen.add(index + " " + name + " " + datatype);
                    throw new InvalidTensorException("refused " + name);
                })).hasMessage("refused x");
        assertThat(seen).containsExactly("0 x FP32");
    }

    @Test
    void aBodyThatIsNoRequestObjectIsMalformedJson() {
        for (String body : new String[] {"", "[1,2]", "7", "{\"inputs\":7}", "{\"inputs\":[7]}", "{\"inputs\":[{\"data\":[1,"}) {
            assertThatThrownBy(() -> RequestDecoder.decode(body.getBytes(StandardCharsets.UTF_8), null, JSON, MAX,
                    RequestDecoder.InputCheck.NONE)).as(body).isInstanceOf(JsonProcessingException.class);
        }
    }

    /** A request of one or two inputs, sometimes damaged, with fields in a random order. */
    private static String request(SplittableRandom r) {
        int inputs = r.nextInt(10) == 0 ? 2 : 1;
        List<String> tensors = new ArrayList<>();
        for (int t = 0; t < inputs; t++) {
            String type = r.nextInt(3) > 0 ? "FP32" : DATATYPES[r.nextInt(DATATYPES.length)];
            int rows = 1 + r.nextInt(3);
            int cols = 1 + r.nextInt(5);
            long[] shape = r.nextInt(15) == 0 ? new long[] {rows, Long.MAX_VALUE / 2} : new long[] {rows, cols};
            int count = rows * cols + (r.nextInt(12) == 0 ? r.nextInt(3) - 1 : 0);
            boolean nested = r.nextBoolean();
            StringBuilder data = new StringBuilder("[");
            for (int i = 0; i < count; i++) {
                if (nested && i % cols == 0) {
                    data.append(i == 0 ? "[" : "],[");
                } else if (i > 0) {
                    data.append(',');
                }
                data.append(r.nextInt(40) == 0 ? ODD[r.nextInt(ODD.length)] : value(r, type));
            }
            data.append(nested && count > 0 ? "]]" : "]");
            List<String> fields = new ArrayList<>(List.of("\"name\":\"in" + t + "\"",
                    "\"shape\":" + java.util.Arrays.toString(shape).replace(" ", ""), "\"datatype\":\"" + type + "\"",
                    "\"data\":" + (r.nextInt(50) == 0 ? "\"text\"" : data)));
            if (r.nextInt(5) == 0) {
                fields.add("\"parameters\":{\"content_type\":\"np\"}");
            }
            if (r.nextInt(4) == 0) {
                java.util.Collections.shuffle(fields, new java.util.Random(r.nextLong()));
            }
            tensors.add("{" + String.join(",", fields) + "}");
        }
        String id = r.nextBoolean() ? "\"id\":\"req-" + r.nextInt(100) + "\"," : "";
        String outputs = r.nextInt(4) == 0 ? ",\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]" : "";
        return "{" + id + "\"inputs\":[" + String.join(",", tensors) + "]" + outputs + ",\"extra\":{\"x\":[1,2]}}";
    }

    private static String value(SplittableRandom r, String type) {
        return switch (type) {
            case "BOOL" -> r.nextBoolean() ? "true" : "false";
            case "INT8", "INT32", "INT64", "UINT8" -> String.valueOf(r.nextInt(-300, 300));
            default -> {
                float f = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 6)));
                yield r.nextBoolean() ? Float.toString(f) : Double.toString(f); // as Java and as numpy print float32
            }
        };
    }

    private record Outcome(List<String> signature, List<List<Float>> values, String error) {
    }

    private static Outcome tree(String body) {
        try {
            InferenceRequest request = BinaryTensors.decodeRequest(body.getBytes(StandardCharsets.UTF_8), null, JSON);
            List<List<Float>> values = new ArrayList<>();
            for (Tensor t : request.inputs()) {
                values.add(boxed(TensorCodec.toFloats(t, MAX)));
            }
            return new Outcome(signature(request), values, null);
        } catch (JsonProcessingException e) {
            return new Outcome(null, null, "malformed");
        } catch (InvalidTensorException e) {
            return new Outcome(null, null, comparable(e.getMessage()));
        }
    }

    private static Outcome stream(String body) {
        try {
            DecodedRequest decoded = RequestDecoder.decode(body.getBytes(StandardCharsets.UTF_8), null, JSON, MAX,
                    RequestDecoder.InputCheck.NONE);
            List<List<Float>> values = new ArrayList<>();
            for (float[] v : decoded.values()) {
                values.add(boxed(v));
            }
            return new Outcome(signature(decoded.request()), values, null);
        } catch (JsonProcessingException e) {
            return new Outcome(null, null, "malformed");
        } catch (InvalidTensorException e) {
            return new Outcome(null, null, comparable(e.getMessage()));
        }
    }

    /** The streaming decoder quotes an out-of-range number as sent ({@code 1e39}), the tree as a double ({@code 1.0E39}). */
    private static String comparable(String message) {
        return message.replaceFirst("is [^ ]+, beyond the range", "is …, beyond the range");
    }

    private static List<String> signature(InferenceRequest request) {
        List<String> out = new ArrayList<>();
        out.add(request.id());
        for (Tensor t : request.inputs()) {
            out.add(t.name() + java.util.Arrays.toString(t.shape()) + t.datatype() + t.parameters());
        }
        out.add(String.valueOf(request.outputs() == null ? null : request.outputs().stream()
                .map(o -> o.name() + o.parameters()).toList()));
        return out;
    }

    private static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v); // Float.equals compares bits: -0 and 0 differ, as they should here
        }
        return out;
    }

}
