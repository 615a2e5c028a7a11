package io.robustml.oip;

/** The protocol's error body: {@code {"error": "..."}}. */
public record ErrorResponse(String error) {
}
