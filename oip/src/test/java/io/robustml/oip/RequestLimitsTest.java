package io.robustml.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {
    @Test
    void theLargestJsonBatchOfAColourModelFitsTheLimit() throws Exception {
        long perRow = 3 * 32 * 32;
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode();
        ObjectNode input = request.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(1024).add(3).add(32).add(32);
        ArrayNode data = input.putArray("data");
        for (long i = 0; i < perRow * 1024; i++) {
            data.add(-1.2345678e-10 * (i % 7 + 1)); // the longest doubles Jackson writes
        }
        long size = json.writeValueAsBytes(request).length;
        assertThat(RequestLimits.maxBodyBytes(java.util.List.of(3, 32, 32), 1024)).isGreaterThan(size);
    }

    @Test
    void neverGoesBelowTheDefaultAndRefusesNonsense() {
        assertThat(RequestLimits.maxBodyBytes(java.util.List.of(4), 1)).isEqualTo(Long.parseLong(RequestLimits.DEFAULT_MAX_BODY_BYTES));
        assertThat(RequestLimits.maxBodyBytes(java.util.List.of(65536, 65536, 65536, 65536), 1024))
                .as("the largest shape the CRD allows does not overflow").isEqualTo(RequestLimits.MAX_BODY_BYTES_CAP);
        assertThatThrownBy(() -> RequestLimits.maxBodyBytes(java.util.List.of(0), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestLimits.maxBodyBytes(java.util.List.of(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
