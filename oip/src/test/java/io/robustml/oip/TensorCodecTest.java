package io.robustml.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Tensor tensor(String json) throws Exception {
        return JSON.readValue(json, Tensor.class);
    }

    @Test
    void decodesFlatAndNestedRowMajorData() throws Exception {
        float[] flat = TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4.5]}"), 100);
        float[] nested = TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[[1,2],[3,4.5]]}"), 100);
        assertThat(flat).containsExactly(1f, 2f, 3f, 4.5f);
        assertThat(nested).containsExactly(flat);
    }

    @Test
    void rejectsDataThatDoesNotMatchTheShape() throws Exception {
        assertThatThrownBy(() -> TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3]}"), 100))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("needs 4 values but data has 3");
        assertThatThrownBy(() -> TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,2,3]}"), 100))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("needs 2 values but data has 3");
    }

    @Test
    void rejectsWrongDatatypesAndNonNumbers() throws Exception {
        assertThatThrownBy(() -> TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"a\"]}"), 100))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("BYTES");
        assertThatThrownBy(() -> TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,\"2\"]}"), 100))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("element 1");
        assertThatThrownBy(() -> TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[1,2.5]}"), 100))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("not an integer");
    }

    @Test
    void refusesTensorsAboveTheElementLimitBeforeAllocating() throws Exception {
        assertThatThrownBy(() -> TensorCodec.elementCount(new long[] {1_000_000, 1_000_000, 1_000_000}, 1 << 24))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("exceeds the limit");
        assertThatThrownBy(() -> TensorCodec.elementCount(new long[] {2, Long.MAX_VALUE}, 1 << 24))
                .as("a product that wraps past Long.MAX_VALUE").isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("exceeds the limit");
        assertThatThrownBy(() -> TensorCodec.elementCount(new long[] {1L << 32, 1L << 32, 16}, Long.MAX_VALUE))
                .isInstanceOf(InvalidTensorException.class);
        assertThat(TensorCodec.elementCount(new long[] {0, Long.MAX_VALUE}, 10)).isZero();
        assertThatThrownBy(() -> TensorCodec.elementCount(new long[] {-1, 3}, 100))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining(">= 0");
    }

    @Test
    void refusesJsonNumbersBeyondTheFloatRange() throws Exception {
        for (String big : new String[] {"1e39", "-1e39", "1.7976931348623157e308"}) {
            assertThatThrownBy(() -> TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP64\",\"data\":[1,"
                    + big + "]}"), 100)).isInstanceOf(InvalidTensorException.class).hasMessageContaining("element 1")
                    .hasMessageContaining("32-bit float");
        }
        assertThat(TensorCodec.toFloats(tensor("{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[3.4e38]}"), 100))
                .containsExactly(3.4e38f);
    }
}
