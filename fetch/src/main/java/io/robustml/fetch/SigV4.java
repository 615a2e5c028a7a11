package io.robustml.fetch;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for one request without a body (an S3 GET), as "Authenticating Requests:
 * Using the Authorization Header" describes it: canonical request → string to sign → HMAC chain.
 * Small on purpose: a fetch needs one signed GET, not an SDK.
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** S3 accepts this instead of the body's hash; a GET has no body to protect. */
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private SigV4() {
    }

    /** An access key pair, optionally with a session token (temporary credentials). Never printed. */
    public record Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
        @Override
        public String toString() {
            return "Credentials[redacted]";
        }
    }

    /** The intermediate steps as well as the headers, so tests can compare each with AWS's examples. */
    public record Signed(String canonicalRequest, String stringToSign, String signature, Map<String, String> headers) {
        @Override
        public String toString() {
            return "Signed[signature redacted]";
        }
    }

    /**
     * Signs a bodyless {@code method} request to {@code url}. {@code extraHeaders} are sent and signed
     * as well (e.g. range); the result's headers are every header to send besides those:
     * x-amz-date, x-amz-content-sha256, x-amz-security-token (with a session token) and authorization.
     */
    public static Signed sign(String method, URI url, Map<String, String> extraHeaders, Credentials credentials,
            String region, String service, Instant now, String payloadHash) {
        String amzDate = AMZ_DATE.format(now);
        String date = amzDate.substring(0, 8);
        Map<String, String> added = new LinkedHashMap<>();
        added.put("x-amz-content-sha256", payloadHash);
        added.put("x-amz-date", amzDate);
        credentials.sessionToken().ifPresent(token -> added.put("x-amz-security-token", token));

        TreeMap<String, String> signed = new TreeMap<>();
        signed.put("host", hostHeader(url));
        extraHeaders.forEach((name, value) -> signed.put(name.toLowerCase(Locale.ROOT), value));
        signed.putAll(added);

        String canonicalRequest = canonicalRequest(method, canonicalUri(url), canonicalQuery(url.getRawQuery()), signed,
                payloadHash);
        String scope = date + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest));
        String signature = hex(hmac(signingKey(credentials.secretAccessKey(), date, region, service), stringToSign));

        Map<String, String> headers = new LinkedHashMap<>(added);
        headers.put("authorization", ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ",SignedHeaders=" + String.join(";", signed.keySet()) + ",Signature=" + signature);
        return new Signed(canonicalRequest, stringToSign, signature, headers);
    }

    /** Method, URI, query, headers (lower-case names, sorted, trimmed values), their names, payload hash. */
    static String canonicalRequest(String method, String canonicalUri, String canonicalQuery,
            TreeMap<String, String> headers, String payloadHash) {
        StringBuilder out = new StringBuilder(method).append('\n').append(canonicalUri).append('\n')
                .append(canonicalQuery).append('\n');
        headers.forEach((name, value) -> out.append(name).append(':').append(value.trim().replaceAll(" +", " "))
                .append('\n'));
        return out.append('\n').append(String.join(";", headers.keySet())).append('\n').append(payloadHash).toString();
    }

    /** S3 signs the path as sent (already encoded once, never normalized); an empty path is "/". */
    static String canonicalUri(URI url) {
        String path = url.getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    /** Each name and value decoded, then encoded the SigV4 way, sorted by name then value. */
    static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(new String[] {uriEncode(decode(name), false), uriEncode(decode(value), false)});
        }
        pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        return String.join("&", pairs.stream().map(p -> p[0] + "=" + p[1]).toList());
    }

    /** The Host header as HTTP clients send it: the port only when it is not the scheme's default. */
    static String hostHeader(URI url) {
        int port = url.getPort();
        boolean defaultPort = port == -1 || (port == 443 && "https".equals(url.getScheme()))
                || (port == 80 && "http".equals(url.getScheme()));
        return defaultPort ? url.getHost() : url.getHost() + ":" + port;
    }

    /** RFC 3986 unreserved characters stay; every other UTF-8 byte is %XX (upper case); '/' optionally stays. */
    public static String uriEncode(String value, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    static byte[] signingKey(String secretAccessKey, String date, String region, String service) {
        byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        return hmac(key, "aws4_request");
    }

    private static String decode(String s) {
        // '+' is a literal plus in S3 query strings, not a space.
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides HmacSHA256", e);
        }
    }

    private static byte[] sha256(String data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
