package io.robustml.sidecar.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads an inference request's body into one buffer, sized once from {@code Content-Length}, up to the
 * body limit: a declared or streamed length past it fails the route with 413 (answered as JSON by the
 * route's failure handler). What Vert.x Web's BodyHandler does for this route, without its upload and
 * form handling or the buffer regrowth on every chunk: this is the hot path of every request.
 */
final class BodyReader implements Handler<RoutingContext> {
    private static final String BODY = "robustml.body";
    /** Preallocated at most: a larger declared length grows as the bytes really arrive. */
    private static final int MAX_PREALLOCATED = 1 << 20;

    private final long maxBytes;

    BodyReader(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The body read for this request (empty when it had none). */
    static Buffer body(RoutingContext ctx) {
        Buffer body = ctx.get(BODY);
        return body == null ? Buffer.buffer() : body;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long declared = declaredLength(request.getHeader("content-length"));
        if (declared > maxBytes) {
            ctx.fail(413);
            return;
        }
        Buffer body = Buffer.buffer((int) Math.min(Math.max(declared, 0), MAX_PREALLOCATED));
        ctx.put(BODY, body);
        if (request.isEnded()) {
            ctx.next();
            return;
        }
        boolean[] over = {false};
        request.handler(chunk -> {
            if (over[0]) {
                return;
            }
            if (body.length() + (long) chunk.length() > maxBytes) {
                over[0] = true;
                ctx.fail(413);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(done -> {
            if (!over[0]) {
                ctx.next();
            }
        });
        request.exceptionHandler(err -> {
            if (!over[0] && !ctx.failed()) {
                ctx.fail(400, err);
            }
        });
        request.resume();
    }

    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // Netty refuses a malformed Content-Length before any route
        }
    }
}
