package io.robustml.crds;

import com.fasterxml.jackson.annotation.JsonValue;

/** Model file formats the default runtime (DJL) loads. */
public enum ModelFormat {
    TORCHSCRIPT("torchscript"),
    ONNX("onnx");

    private final String value;

    ModelFormat(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }
}
