package io.robustml.fetch;

import java.net.URI;
import java.util.Collection;

/**
 * What of a URL or message may be shown in logs, errors and the termination message: no user info,
 * no query (a pre-signed URL's query is a credential), and never a configured secret's value.
 */
public final class Redact {
    private Redact() {
    }

    /** scheme://host[:port]/path, with "?…" standing for any query. */
    public static String url(URI url) {
        StringBuilder out = new StringBuilder();
        if (url.getScheme() != null) {
            out.append(url.getScheme()).append("://");
        }
        if (url.getHost() != null) {
            out.append(url.getHost());
        }
        if (url.getPort() != -1) {
            out.append(':').append(url.getPort());
        }
        if (url.getRawPath() != null) {
            out.append(url.getRawPath());
        }
        if (url.getRawQuery() != null) {
            out.append("?…");
        }
        return out.toString();
    }

    /** For a string that is not even a URI: drop user info and query by pattern. */
    public static String text(String uri) {
        return uri.replaceAll("//[^/@?#]*@", "//").replaceAll("\\?.*$", "?…");
    }

    /** The message with every non-blank secret value replaced, whatever produced the message. */
    public static String secrets(String message, Collection<String> secrets) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (String secret : secrets) {
            if (secret != null && !secret.isBlank()) {
                out = out.replace(secret, "<redacted>");
            }
        }
        return out;
    }
}
