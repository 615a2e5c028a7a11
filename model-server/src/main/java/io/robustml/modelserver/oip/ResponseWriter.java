package io.robustml.modelserver.oip;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.BinaryTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an inference response straight from the prediction's arrays: the JSON is generated as a
 * stream (no tree of boxed numbers), binary outputs go after the JSON header. The same bytes as
 * {@link BinaryTensors#encode} of the equivalent {@code InferenceResponse}: fields in the record's order,
 * {@code id} only when the request had one, binary outputs with {@code parameters.binary_data_size} and no data.
 */
final class ResponseWriter {
    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private final List<byte[]> binary = new ArrayList<>(2);
    private final JsonGenerator g;

    ResponseWriter(ObjectMapper json, String model, String version, String id) {
        try {
            g = json.getFactory().createGenerator(buffer);
            g.enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
            g.writeStartObject();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", version);
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeArrayFieldStart("outputs");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
    }

    void fp32(String name, long[] shape, float[] values, boolean asBinary) {
        output(name, shape, "FP32", asBinary, () -> BinaryTensors.bytes(BinaryTensors.fp32(name, shape, values)), g -> {
            g.writeStartArray();
            for (float v : values) {
                g.writeNumber(v);
            }
            g.writeEndArray();
        });
    }

    void int64(String name, long[] shape, long[] values, boolean asBinary) {
        output(name, shape, "INT64", asBinary, () -> BinaryTensors.bytes(BinaryTensors.int64(name, shape, values)),
                g -> g.writeArray(values, 0, values.length));
    }

    /** Writes a tensor's data as JSON. */
    @FunctionalInterface
    private interface JsonData {
        void write(JsonGenerator g) throws IOException;
    }

    /** One output: name, shape, datatype, then its data inline, or its size here and its bytes after the header. */
    private void output(String name, long[] shape, String datatype, boolean asBinary,
            java.util.function.Supplier<byte[]> bytes, JsonData json) {
        try {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeFieldName("shape");
            g.writeArray(shape, 0, shape.length);
            g.writeStringField("datatype", datatype);
            if (asBinary) {
                byte[] raw = bytes.get();
                g.writeObjectFieldStart("parameters");
                g.writeNumberField(BinaryTensors.BINARY_DATA_SIZE, raw.length);
                g.writeEndObject();
                binary.add(raw);
            } else {
                g.writeFieldName("data");
                json.write(g);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
    }

    /** The body, with the JSON header's length when an output is binary. */
    BinaryTensors.Encoded finish() {
        try {
            g.writeEndArray();
            g.writeEndObject();
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (binary.isEmpty()) {
            return new BinaryTensors.Encoded(buffer.toByteArray(), -1);
        }
        int header = buffer.size();
        for (byte[] chunk : binary) {
            buffer.write(chunk);
        }
        return new BinaryTensors.Encoded(buffer.toByteArray(), header);
    }
}
