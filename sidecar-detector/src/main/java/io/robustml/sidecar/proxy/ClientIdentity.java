package io.robustml.sidecar.proxy;

import io.vertx.ext.web.RoutingContext;

/**
 * Who is asking, for per-client rate limits: the API key the authenticating gateway forwards, else
 * the peer address. The key itself is never logged or exported, only used as a map key.
 */
public final class ClientIdentity {
    public static final String API_KEY_HEADER = "X-API-Key";

    private ClientIdentity() {
    }

    public static String of(RoutingContext ctx) {
        String key = ctx.request().getHeader(API_KEY_HEADER);
        if (key != null && !key.isBlank()) {
            return "key:" + key;
        }
        return "addr:" + (ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress());
    }
}
