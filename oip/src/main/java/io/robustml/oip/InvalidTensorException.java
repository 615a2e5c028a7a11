package io.robustml.oip;

/** A request tensor that does not match the protocol or the model: the client's error (400). */
public class InvalidTensorException extends RuntimeException {
    public InvalidTensorException(String message) {
        super(message);
    }
}
