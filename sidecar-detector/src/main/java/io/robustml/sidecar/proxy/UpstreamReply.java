package io.robustml.sidecar.proxy;

import io.vertx.core.buffer.Buffer;

/** The model server's (or the fallback service's) answer: status, content type, binary header length, bytes, time taken. */
record UpstreamReply(int status, String contentType, String headerLength, Buffer body, long nanos) {
}
