package io.robustml.modelserver.oip;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.BinaryTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        try {
            start(name, shape, "FP32");
            if (asBinary) {
                ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(values);
                binaryData(b.array());
            } else {
                g.writeArrayFieldStart("data");
                for (float v : values) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void int64(String name, long[] shape, long[] values, boolean asBinary) {
        try {
            start(name, shape, "INT64");
            if (asBinary) {
                ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                b.asLongBuffer().put(values);
                binaryData(b.array());
            } else {
                g.writeFieldName("data");
                g.writeArray(values, 0, values.length);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    private void start(String name, long[] shape, String datatype) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeFieldName("shape");
        g.writeArray(shape, 0, shape.length);
        g.writeStringField("datatype", datatype);
    }

    private void binaryData(byte[] bytes) throws IOException {
        g.writeObjectFieldStart("parameters");
        g.writeNumberField(BinaryTensors.BINARY_DATA_SIZE, bytes.length);
        g.writeEndObject();
        binary.add(bytes);
    }
}
