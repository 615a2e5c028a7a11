package io.robustml.crds;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A measured number that the API carries as a decimal string ({@link Decimals}): a {@code Double} in Java,
 * {@code "0.903509"} on the wire and {@code type: string} in the CRD. Written with at most six fractional
 * digits (half-even), never in exponent form; read from a string or a number, and anything unreadable or not
 * finite reads as absent, which a verdict treats as missing, never as good.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@JacksonAnnotationsInside
@JsonSerialize(using = Decimals.Writer.class)
@JsonDeserialize(using = Decimals.Reader.class)
public @interface Decimal {
}
