package io.robustml.crds;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Decimal numbers in this API are strings (Kubernetes API conventions avoid floats in specs: they do
 * not round-trip exactly through JSON, YAML and Go). Write {@code "0.05"}, not {@code 0.05}.
 */
public final class Decimals {
    /** A non-negative decimal with up to 6 fractional digits, e.g. "0.05", "1", "12.5". */
    public static final String NON_NEGATIVE = "^(0|[1-9][0-9]{0,5})(\\.[0-9]{1,6})?$";
    /** A fraction in [0, 1] with up to 6 fractional digits, e.g. "0", "0.05", "1". */
    public static final String FRACTION = "^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$";
    /** A possibly negative decimal, e.g. "-1", "0.5", "255". */
    public static final String SIGNED = "^-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,6})?$";
    /** A duration such as "90s", "15m", "168h". */
    public static final String DURATION = "^[1-9][0-9]{0,5}(s|m|h)$";

    private Decimals() {
    }

    /** The decimal string of a value; null and NaN are absent. */
    public static String text(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return null;
        }
        return BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    /** The value of a decimal string; absent when it is not one. */
    public static Double value(String text) {
        if (text == null) {
            return null;
        }
        try {
            double v = new BigDecimal(text.trim()).doubleValue();
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Writes the decimal string; the schema it reports is a string, so the CRD says {@code type: string}. */
    public static final class Writer extends StdScalarSerializer<Double> {
        public Writer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
            String text = text(value);
            if (text == null) {
                out.writeNull();
            } else {
                out.writeString(text);
            }
        }

        @Override
        public void acceptJsonFormatVisitor(JsonFormatVisitorWrapper visitor, JavaType type) throws JsonMappingException {
            visitor.expectStringFormat(type);
        }
    }

    /** Reads a decimal string (or a plain JSON number); anything else is absent. */
    public static final class Reader extends StdScalarDeserializer<Double> {
        public Reader() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser in, DeserializationContext context) throws IOException {
            JsonToken token = in.currentToken();
            if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
                double v = in.getDoubleValue();
                return Double.isFinite(v) ? v : null;
            }
            if (token == JsonToken.VALUE_STRING) {
                return value(in.getText());
            }
            in.skipChildren();
            return null;
        }
    }
}
