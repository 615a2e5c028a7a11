package io.robustml.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A model store for tests over real HTTP (the JDK's server on 127.0.0.1): serves files by path, either
 * behind a bearer token (an https-style store) or as an S3-style store that <b>checks the AWS SigV4
 * Authorization header by recomputing it</b> from the request it received. It is a signature-checking
 * test server, not S3: it knows one region, GET, no query strings and the headers our client signs.
 * The verification is written here independently of {@link SigV4} (which is pinned by AWS's published
 * examples), so a client that sends something other than what it signed is refused.
 */
public final class TestModelStore implements AutoCloseable {
    /** A scripted answer before the real one: a status, or {@link #TRUNCATE} (a body cut short). */
    public static final int TRUNCATE = -1;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Deque<Integer> script = new ArrayDeque<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger verifiedSignatures = new AtomicInteger();
    private volatile String bearerToken;
    private volatile Map<String, String> s3Keys;
    private volatile String s3SessionToken;
    private volatile String s3Region = "us-east-1";
    private volatile Set<String> publicBuckets = Set.of();
    private volatile boolean chunked;
    private volatile CountDownLatch hold = new CountDownLatch(0);

    public TestModelStore() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.createContext("/_release", exchange -> {
            hold.countDown();
            send(exchange, 204, new byte[0]);
        });
        server.createContext("/_stats", exchange -> send(exchange, 200, ("requests=" + requests.get() + " verified="
                + verifiedSignatures.get()).getBytes(StandardCharsets.UTF_8)));
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public TestModelStore file(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    public TestModelStore redirect(String path, String location) {
        redirects.put(path, location);
        return this;
    }

    /** Every request must carry "Authorization: Bearer token". */
    public TestModelStore bearer(String token) {
        this.bearerToken = token;
        return this;
    }

    /** S3 mode: paths are /bucket/key, requests must be SigV4-signed with one of these access keys. */
    public TestModelStore s3(Map<String, String> accessKeyToSecret, String sessionToken, String region) {
        this.s3Keys = Map.copyOf(accessKeyToSecret);
        this.s3SessionToken = sessionToken;
        this.s3Region = region;
        return this;
    }

    /** Buckets that answer unsigned requests (an S3 bucket policy allowing anonymous reads). */
    public TestModelStore publicBuckets(String... buckets) {
        this.publicBuckets = Set.of(buckets);
        return this;
    }

    /** Answers without Content-Length (chunked), so the client cannot check the size before reading. */
    public TestModelStore chunked() {
        this.chunked = true;
        return this;
    }

    /** Answers these first, in order, before serving normally. */
    public synchronized TestModelStore script(Integer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** Holds file bodies until GET /_release (GET /_stats tells the counters), so a test can look at the server while it downloads. */
    public TestModelStore holdUntilReleased() {
        this.hold = new CountDownLatch(1);
        return this;
    }

    public int requests() {
        return requests.get();
    }

    public int verifiedSignatures() {
        return verifiedSignatures.get();
    }

    public List<String> authorizations() {
        return authorizations;
    }

    private synchronized Integer nextScripted() {
        return script.poll();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(authorization == null ? "" : authorization);
        String path = exchange.getRequestURI().getRawPath();
        String decodedPath = exchange.getRequestURI().getPath();

        String refusal = s3Keys != null ? checkSignature(exchange, authorization, decodedPath) : checkBearer(authorization);
        if (refusal != null) {
            int status = refusal.startsWith("401") ? 401 : 403;
            // Like S3, the error body echoes what was signed; the client must show only the code.
            send(exchange, status, ("<Error><Code>" + refusal.substring(4) + "</Code><StringToSign>secret-looking "
                    + "detail</StringToSign></Error>").getBytes(StandardCharsets.UTF_8));
            return;
        }
        Integer scripted = nextScripted();
        if (scripted != null && scripted != TRUNCATE) {
            send(exchange, scripted, ("<Error><Code>Scripted" + scripted + "</Code></Error>").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (redirects.containsKey(path)) {
            exchange.getResponseHeaders().add("Location", redirects.get(path));
            send(exchange, 302, new byte[0]);
            return;
        }
        byte[] body = files.get(decodedPath);
        if (body == null) {
            send(exchange, 404, "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try {
            if (!hold.await(5, TimeUnit.MINUTES)) {
                throw new IOException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (scripted != null) {
            // Declare the whole length, send half, and drop the connection.
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, body.length / 2);
            out.flush();
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(200, chunked ? 0 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String checkBearer(String authorization) {
        if (bearerToken == null) {
            return null;
        }
        return ("Bearer " + bearerToken).equals(authorization) ? null : "401 Unauthorized";
    }

    /** Null when the request is signed correctly (or anonymous on a public bucket), else "403 Code". */
    private String checkSignature(HttpExchange exchange, String authorization, String decodedPath) {
        String bucket = decodedPath.replaceFirst("^/", "").replaceFirst("/.*$", "");
        if (authorization == null) {
            return publicBuckets.contains(bucket) ? null : "403 AccessDenied";
        }
        if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            return "403 InvalidRequest";
        }
        Map<String, String> fields = new ConcurrentHashMap<>();
        for (String part : authorization.substring("AWS4-HMAC-SHA256 ".length()).split(",")) {
            String[] kv = part.trim().split("=", 2);
            fields.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        String[] credential = fields.getOrDefault("Credential", "").split("/");
        if (credential.length != 5 || !credential[3].equals("s3") || !credential[4].equals("aws4_request")) {
            return "403 AuthorizationHeaderMalformed";
        }
        String secret = s3Keys.get(credential[0]);
        if (secret == null) {
            return "403 InvalidAccessKeyId";
        }
        if (!credential[2].equals(s3Region)) {
            return "403 AuthorizationHeaderMalformed";
        }
        String amzDate = exchange.getRequestHeaders().getFirst("x-amz-date");
        if (amzDate == null || !amzDate.startsWith(credential[1])) {
            return "403 AccessDenied";
        }
        Instant signedAt = LocalDateTime.parse(amzDate, DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                .toInstant(ZoneOffset.UTC);
        if (Duration.between(signedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(15)) > 0) {
            return "403 RequestTimeTooSkewed";
        }
        List<String> signedHeaders = List.of(fields.getOrDefault("SignedHeaders", "").split(";"));
        if (!signedHeaders.containsAll(List.of("host", "x-amz-content-sha256", "x-amz-date"))) {
            return "403 AccessDenied";
        }
        String token = exchange.getRequestHeaders().getFirst("x-amz-security-token");
        if (s3SessionToken != null && (!s3SessionToken.equals(token) || !signedHeaders.contains("x-amz-security-token"))) {
            return "403 InvalidToken";
        }
        if (exchange.getRequestURI().getRawQuery() != null) {
            return "403 NotImplementedInThisTestServer";
        }
        StringBuilder canonical = new StringBuilder(exchange.getRequestMethod()).append('\n')
                .append(exchange.getRequestURI().getRawPath()).append("\n\n");
        for (String name : signedHeaders) {
            String value = exchange.getRequestHeaders().getFirst(name);
            canonical.append(name).append(':').append(value == null ? "" : value.trim()).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n')
                .append(exchange.getRequestHeaders().getFirst("x-amz-content-sha256"));
        String scope = credential[1] + "/" + credential[2] + "/s3/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonical.toString()));
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), credential[1]);
        key = hmac(hmac(hmac(key, credential[2]), "s3"), "aws4_request");
        if (!hex(hmac(key, stringToSign)).equals(fields.get("Signature"))) {
            return "403 SignatureDoesNotMatch";
        }
        verifiedSignatures.incrementAndGet();
        return null;
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(String data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        hold.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
