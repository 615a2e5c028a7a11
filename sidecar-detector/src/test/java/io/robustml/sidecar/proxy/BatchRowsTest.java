package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a request costs against the limits when no detector parses it: shape[0] of its first input, read by streaming. */
class BatchRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long rows(String body) {
        return WireFormat.batchRows(JSON, body.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void readsTheFirstInputsBatchWhereverItsFieldsStand() throws Exception {
        assertThat(rows("{\"id\":\"x\",\"parameters\":{\"a\":[1,2]},\"inputs\":[{\"data\":[[1,2],[3,4]],\"name\":\"input\","
                + "\"shape\":[64,2],\"datatype\":\"FP32\"}]}")).isEqualTo(64);
        BinaryTensors.Encoded binary = BinaryTensors.encode(new InferenceRequest(null, null,
                List.of(BinaryTensors.fp32("input", new long[] {16, 1}, new float[16])), null), JSON);
        assertThat(WireFormat.batchRows(JSON, binary.body(), Integer.toString(binary.headerLength()))).isEqualTo(16);
    }

    @Test
    void anythingElseCostsOneRow() {
        assertThat(rows("{\"inputs\":[]}")).isEqualTo(1);
        assertThat(rows("{\"inputs\":[{\"shape\":[0,2]}]}")).isEqualTo(1);
        assertThat(rows("{\"inputs\":[{\"shape\":[\"64\"]}]}")).isEqualTo(1);
        assertThat(rows("{\"inputs\":[{\"shape\":[64,2]")).as("truncated: malformed, refused by the model server").isEqualTo(1);
        assertThat(rows("not json")).isEqualTo(1);
        assertThat(WireFormat.batchRows(JSON, new byte[] {1, 2}, "lots")).isEqualTo(1);
    }
}
