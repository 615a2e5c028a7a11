package io.robustml.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The binary tensor data extension: framing, size checks and decoding into the JSON path's values. */
class BinaryTensorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A body as tritonclient builds it: JSON header, then the raw bytes; returns body and header length. */
    private static Object[] body(String header, byte[]... data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int total = h.length + Arrays.stream(data).mapToInt(d -> d.length).sum();
        byte[] out = Arrays.copyOf(h, total);
        int pos = h.length;
        for (byte[] d : data) {
            System.arraycopy(d, 0, out, pos, d.length);
            pos += d.length;
        }
        return new Object[] {out, String.valueOf(h.length)};
    }

    private static InferenceRequest decode(Object[] body) throws Exception {
        return BinaryTensors.decodeRequest((byte[]) body[0], (String) body[1], JSON);
    }

    private static byte[] le(int bytesPer, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytesPer) {
                case 1 -> b.put((byte) v);
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    private static byte[] fp32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static String input(String name, String shape, String type, long size) {
        return "{\"name\":\"" + name + "\",\"shape\":" + shape + ",\"datatype\":\"" + type
                + "\",\"parameters\":{\"binary_data_size\":" + size + "}}";
    }

    private static float[] floats(String type, String shape, byte[] raw) throws Exception {
        InferenceRequest r = decode(body("{\"inputs\":[" + input("x", shape, type, raw.length) + "]}", raw));
        return TensorCodec.toFloats(r.inputs().get(0), 1000);
    }

    @Test
    void decodesEveryNumericDatatypeToTheSameValuesAsJson() throws Exception {
        assertThat(floats("FP32", "[2,2]", fp32(1f, -2.5f, 0.125f, 3e7f))).containsExactly(1f, -2.5f, 0.125f, 3e7f);
        // FP16 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, smallest subnormal 2^-24 = 0x0001, 65504 = 0x7bff
        assertThat(floats("FP16", "[5]", le(2, 0x3c00, 0xc000, 0x3800, 0x0001, 0x7bff)))
                .containsExactly(1f, -2f, 0.5f, 0x1p-24f, 65504f);
        assertThat(floats("BF16", "[2]", le(2, 0x3f80, 0xc040))).containsExactly(1f, -3f);
        assertThat(floats("FP64", "[1]", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).array()))
                .containsExactly(0.25f);
        assertThat(floats("INT64", "[3]", le(8, 0, 1, -7))).containsExactly(0f, 1f, -7f);
        assertThat(floats("INT32", "[3]", le(4, 5, -1, 1 << 20))).containsExactly(5f, -1f, 1 << 20);
        assertThat(floats("UINT8", "[3]", le(1, 0, 128, 255))).containsExactly(0f, 128f, 255f);
        assertThat(floats("INT8", "[2]", le(1, -128, 127))).containsExactly(-128f, 127f);
        assertThat(floats("UINT16", "[1]", le(2, 65535))).containsExactly(65535f);
        assertThat(floats("UINT32", "[1]", le(4, 0xffffffffL))).containsExactly(4294967295f);
        assertThat(floats("BOOL", "[1,3]", le(1, 1, 0, 1))).containsExactly(1f, 0f, 1f);

        // Same numbers through JSON give the same floats: one decoding path.
        Tensor asJson = JSON.readValue("{\"name\":\"x\",\"shape\":[3],\"datatype\":\"BOOL\",\"data\":[true,false,true]}", Tensor.class);
        assertThat(TensorCodec.toFloats(asJson, 10)).containsExactly(1f, 0f, 1f);
        Tensor ints = JSON.readValue("{\"name\":\"x\",\"shape\":[3],\"datatype\":\"INT32\",\"data\":[5,-1,1048576]}", Tensor.class);
        assertThat(TensorCodec.toFloats(ints, 10)).containsExactly(floats("INT32", "[3]", le(4, 5, -1, 1 << 20)));
    }

    @Test
    void keepsJsonInputsBesideBinaryOnesAndConsumesBytesInOrder() throws Exception {
        String header = "{\"id\":\"7\",\"inputs\":[" + input("a", "[2]", "FP32", 8)
                + ",{\"name\":\"b\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[4]},"
                + input("c", "[1]", "UINT8", 1) + "]}";
        InferenceRequest r = decode(body(header, fp32(1f, 2f), le(1, 9)));
        assertThat(r.id()).isEqualTo("7");
        assertThat(BinaryTensors.isBinary(r.inputs().get(0))).isTrue();
        assertThat(r.inputs().get(0).parameters()).isNull(); // binary_data_size is implied by the bytes
        assertThat(TensorCodec.toFloats(r.inputs().get(0), 10)).containsExactly(1f, 2f);
        assertThat(BinaryTensors.isBinary(r.inputs().get(1))).isFalse();
        assertThat(TensorCodec.toFloats(r.inputs().get(1), 10)).containsExactly(4f);
        assertThat(TensorCodec.toFloats(r.inputs().get(2), 10)).containsExactly(9f);
    }

    @Test
    void aPlainJsonBodyStaysJson() throws Exception {
        byte[] body = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1.5]}]}"
                .getBytes(StandardCharsets.UTF_8);
        InferenceRequest r = BinaryTensors.decodeRequest(body, null, JSON);
        assertThat(TensorCodec.toFloats(r.inputs().get(0), 10)).containsExactly(1.5f);
        // The header may also span the whole body.
        r = BinaryTensors.decodeRequest(body, String.valueOf(body.length), JSON);
        assertThat(TensorCodec.toFloats(r.inputs().get(0), 10)).containsExactly(1.5f);
    }

    @Test
    void rejectsDeclaredSizesThatDisagreeWithShapeAndDatatype() {
        // 2x2 FP32 is 16 bytes; the request says (and sends) 12.
        assertThatThrownBy(() -> decode(body("{\"inputs\":[" + input("x", "[2,2]", "FP32", 12) + "]}", fp32(1, 2, 3))))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("shape [2, 2] of FP32 needs 16 bytes but binary_data_size is 12");
        // A shape far beyond the body never gets multiplied out into an allocation.
        assertThatThrownBy(() -> decode(body("{\"inputs\":[" + input("x", "[4611686018427387904,4]", "FP32", 4) + "]}",
                fp32(1)))).isInstanceOf(InvalidTensorException.class).hasMessageContaining("needs more than 2147483647 bytes but binary_data_size is 4");
    }

    @Test
    void rejectsSizesThatDisagreeWithTheBody() {
        // Truncated: declares 16, only 8 bytes follow.
        assertThatThrownBy(() -> decode(body("{\"inputs\":[" + input("x", "[4]", "FP32", 16) + "]}", fp32(1, 2))))
                .isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("binary_data_size 16 runs past the end of the body (8 bytes of tensor data left)");
        // Bytes nobody declared.
        assertThatThrownBy(() -> decode(body("{\"inputs\":[" + input("x", "[1]", "FP32", 4) + "]}", fp32(1, 2))))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("4 bytes follow the declared tensor data");
        // binary_data_size without the header: the body is all JSON, so there are no bytes to read.
        byte[] json = ("{\"inputs\":[" + input("x", "[1]", "FP32", 4) + "]}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> BinaryTensors.decodeRequest(json, null, JSON))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("has no Inference-Header-Content-Length");
        // Negative, fractional and textual sizes.
        for (String size : List.of("-4", "4.0", "\"4\"")) {
            assertThatThrownBy(() -> decode(body("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\","
                    + "\"parameters\":{\"binary_data_size\":" + size + "}}]}", fp32(1))))
                    .isInstanceOf(InvalidTensorException.class).hasMessageContaining("must be a non-negative integer");
        }
        // Both JSON data and binary data.
        assertThatThrownBy(() -> decode(body("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1],"
                + "\"parameters\":{\"binary_data_size\":4}}]}", fp32(1))))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("both data and binary_data_size");
    }

    @Test
    void rejectsAHeaderLengthPastTheBodyOrNotANumber() {
        byte[] b = "{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> BinaryTensors.decodeRequest(b, "1000", JSON)).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("Inference-Header-Content-Length 1000 is past the end of the body (13 bytes)");
        assertThatThrownBy(() -> BinaryTensors.decodeRequest(b, "-1", JSON)).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> BinaryTensors.decodeRequest(b, "ten", JSON)).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("must be a byte count");
        // A header length that cuts the JSON is malformed JSON.
        assertThatThrownBy(() -> BinaryTensors.decodeRequest(b, "5", JSON))
                .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);
    }

    @Test
    void rejectsUnknownAndVariableSizeDatatypes() {
        assertThatThrownBy(() -> decode(body("{\"inputs\":[" + input("x", "[1]", "FP8", 1) + "]}", le(1, 1))))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("tensor 'x': unknown datatype 'FP8'");
        assertThatThrownBy(() -> decode(body("{\"inputs\":[" + input("x", "[1]", "BYTES", 5) + "]}", le(1, 1, 0, 0, 0, 65))))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("BYTES");
    }

    @Test
    void rejectsValuesJsonCouldNotCarry() throws Exception {
        InferenceRequest nan = decode(body("{\"inputs\":[" + input("x", "[2]", "FP32", 8) + "]}", fp32(1, Float.NaN)));
        assertThatThrownBy(() -> TensorCodec.toFloats(nan.inputs().get(0), 10)).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("element 1 is NaN, not a finite number");
        InferenceRequest bool = decode(body("{\"inputs\":[" + input("x", "[2]", "BOOL", 2) + "]}", le(1, 1, 7)));
        assertThatThrownBy(() -> TensorCodec.toFloats(bool.inputs().get(0), 10)).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("BOOL element 1 is byte 7, not 0 or 1");
        // The element limit holds for binary data as for JSON.
        InferenceRequest big = decode(body("{\"inputs\":[" + input("x", "[20]", "UINT8", 20) + "]}", new byte[20]));
        assertThatThrownBy(() -> TensorCodec.toFloats(big.inputs().get(0), 10)).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("exceeds the limit of 10 elements");
    }

    @Test
    void encodesAndDecodesResponsesAsTritonClientsReadThem() throws Exception {
        InferenceResponse response = new InferenceResponse("m", "1", "id-1", null, List.of(
                BinaryTensors.fp32("logits", new long[] {2, 2}, new float[] {1f, 2f, 3f, 4f}),
                new Tensor("note", new long[] {1}, "INT64", null, TensorCodec.toJson(new long[] {5})),
                BinaryTensors.int64("label", new long[] {2}, new long[] {1, 0})));
        BinaryTensors.Encoded e = BinaryTensors.encode(response, JSON);
        assertThat(e.binary()).isTrue();
        assertThat(e.body()).hasSize(e.headerLength() + 16 + 16);
        var header = JSON.readTree(Arrays.copyOf(e.body(), e.headerLength()));
        assertThat(header.at("/outputs/0/parameters/binary_data_size").asInt()).isEqualTo(16);
        assertThat(header.at("/outputs/0/data").isMissingNode()).isTrue();
        assertThat(header.at("/outputs/1/data").toString()).isEqualTo("[5]");
        assertThat(header.at("/outputs/2/parameters/binary_data_size").asInt()).isEqualTo(16);
        // The bytes after the header are the outputs' little-endian data, in order.
        ByteBuffer tail = ByteBuffer.wrap(e.body(), e.headerLength(), 32).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(tail.getFloat()).isEqualTo(1f);
        tail.position(e.headerLength() + 16);
        assertThat(tail.getLong()).isEqualTo(1L);

        InferenceResponse back = BinaryTensors.decodeResponse(e.body(), String.valueOf(e.headerLength()), JSON);
        assertThat(TensorCodec.toFloats(back.outputs().get(0), 10)).containsExactly(1f, 2f, 3f, 4f);
        assertThat(BinaryTensors.toLongs(back.outputs().get(1))).containsExactly(5L);
        assertThat(BinaryTensors.toLongs(back.outputs().get(2))).containsExactly(1L, 0L);

        // Without binary tensors the body is plain JSON and there is no header.
        BinaryTensors.Encoded plain = BinaryTensors.encode(new InferenceResponse("m", "1", null, null,
                List.of(response.outputs().get(1))), JSON);
        assertThat(plain.binary()).isFalse();
        assertThat(JSON.readTree(plain.body()).at("/outputs/0/data").toString()).isEqualTo("[5]");
    }

    @Test
    void roundTripsARequestThroughTheEncoder() throws Exception {
        float[] values = {0.5f, -1f, 2f};
        InferenceRequest request = new InferenceRequest("r", Map.of("binary_data_output", true),
                List.of(BinaryTensors.fp32("input", new long[] {1, 3}, values)), null);
        BinaryTensors.Encoded e = BinaryTensors.encode(request, JSON);
        InferenceRequest back = BinaryTensors.decodeRequest(e.body(), String.valueOf(e.headerLength()), JSON);
        assertThat(TensorCodec.toFloats(back.inputs().get(0), 10)).containsExactly(values);
        assertThat(BinaryTensors.wantsBinary(back, "anything")).isTrue();
    }

    @Test
    void anOutputsOwnBinaryDataWinsOverTheRequestDefault() throws Exception {
        InferenceRequest r = JSON.readValue("{\"parameters\":{\"binary_data_output\":true},\"outputs\":["
                + "{\"name\":\"a\",\"parameters\":{\"binary_data\":false}},{\"name\":\"b\"}]}", InferenceRequest.class);
        assertThat(BinaryTensors.wantsBinary(r, "a")).isFalse();
        assertThat(BinaryTensors.wantsBinary(r, "b")).isTrue();
        InferenceRequest none = JSON.readValue("{\"outputs\":[{\"name\":\"a\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"b\"}]}", InferenceRequest.class);
        assertThat(BinaryTensors.wantsBinary(none, "a")).isTrue();
        assertThat(BinaryTensors.wantsBinary(none, "b")).isFalse();
        InferenceRequest bad = JSON.readValue("{\"parameters\":{\"binary_data_output\":\"yes\"}}", InferenceRequest.class);
        assertThatThrownBy(() -> BinaryTensors.wantsBinary(bad, "a")).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("must be true or false");
    }
}
