package io.robustml.sidecar.proxy;

/**
 * What an inference request says about its inputs before its data is read: their number, and the first
 * one's name, datatype and shape (null where the request does not say). Read by {@link WireFormat#head}.
 */
record RequestHead(int inputs, String name, String datatype, long[] shape) {
    /** {@code shape[0]}: the rows the request costs its client; 1 when the request does not say. */
    long rows() {
        return shape != null && shape.length > 0 && shape[0] > 1 ? shape[0] : 1;
    }
}
