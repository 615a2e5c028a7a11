package io.robustml.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Turns a URI into a local file whose SHA-256 is the spec's. Remote files (https://, s3://) stream
 * into a temporary file in the cache directory while they are hashed; only a match is renamed
 * (atomically) to {@code <cache>/<sha256>}, so a file under that name has been verified, and a
 * container restart reuses it after checking it again. A mismatch is an {@link IntegrityException},
 * exactly like a local file that does not match. The model server fetches its model with it, the
 * tester its model, dataset, corpus and surrogate.
 */
public final class Fetcher {
    private static final Logger LOG = Logger.getLogger(Fetcher.class);
    private static final int MAX_REDIRECTS = 5;
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
    private static final Pattern S3_ERROR_CODE = Pattern.compile("<Code>([A-Za-z0-9.]{1,64})</Code>");
    private static final double MIB = 1024.0 * 1024.0;

    private final FetchSettings settings;
    private final Consumer<String> progress;
    private final Clock clock;

    /** {@code progress} receives what readiness should say while a file is fetched. */
    public Fetcher(FetchSettings settings, Consumer<String> progress, Clock clock) {
        this.settings = settings;
        this.progress = progress;
        this.clock = clock;
    }

    /**
     * A local file with the expected digest: the configured file itself, or the verified download.
     * Throws {@link IntegrityException} on a mismatch, {@link FetchException} when a remote file cannot
     * be fetched. {@code what} names the file's role in messages ("model", "dataset").
     */
    public Path fetch(String what, String uri, String expectedSha256) throws IOException {
        String expected = Sha256.normalize(expectedSha256);
        Source source;
        try {
            source = Source.parse(what, uri, settings.allowHttp(), settings.caller().allowHttpSetting());
        } catch (IllegalArgumentException e) {
            throw failure(e.getMessage(), false);
        }
        if (source instanceof Source.Local local) {
            if (!Files.isRegularFile(local.path())) {
                throw new java.nio.file.NoSuchFileException(what + " file " + local.path() + " does not exist");
            }
            Sha256.verify(what + " file", local.path(), expected);
            return local.path();
        }
        Path target = settings.cacheDir().resolve(expected);
        if (verifiedCopy(target, expected, source)) {
            return target;
        }
        try {
            Files.createDirectories(settings.cacheDir());
            deletePartials(expected);
        } catch (IOException e) {
            throw failure("cannot use the cache directory " + settings.cacheDir() + " (" + settings.caller().cacheDirSetting()
                    + ", an emptyDir in pods): " + describe(e), false);
        }
        return download(what, source, expected, target);
    }

    /** A copy left by an earlier start of this container, checked again: a damaged one is fetched anew. */
    private boolean verifiedCopy(Path target, String expected, Source source) throws IOException {
        if (!Files.isRegularFile(target)) {
            return false;
        }
        progress.accept("verifying the cached copy of " + source.display());
        String actual = Sha256.of(target);
        if (actual.equals(expected)) {
            LOG.infof("reusing the verified copy of %s in %s (%d bytes)", source.display(), target, Files.size(target));
            return true;
        }
        LOG.warnf("the cached copy %s has sha256 %s, not %s: fetching %s again", target, actual, expected,
                source.display());
        Files.delete(target);
        return false;
    }

    private Path download(String what, Source source, String expected, Path target) throws IOException {
        RetryPolicy retry = settings.retry();
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(what, source, expected, target);
            } catch (FetchException e) {
                if (!e.retryable()) {
                    throw e;
                }
                if (attempt >= retry.maxAttempts()) {
                    throw failure("could not fetch " + source.display() + " in " + attempt + " attempts: "
                            + e.getMessage(), false);
                }
                Duration wait = retry.backoff(attempt, ThreadLocalRandom.current().nextDouble());
                LOG.warnf("fetching %s failed (attempt %d of %d): %s; trying again in %d ms", source.display(),
                        attempt, retry.maxAttempts(), e.getMessage(), wait.toMillis());
                progress.accept("fetching " + source.display() + ": attempt " + attempt + " failed ("
                        + e.getMessage() + "), trying again");
                sleep(what, wait);
            }
        }
    }

    /** One GET (following a few redirects for https), streamed into the cache. */
    private Path attempt(String what, Source source, String expected, Path target) throws IOException {
        URI url = source instanceof Source.S3 s3 ? s3.url(settings.s3Endpoint(), settings.region())
                : ((Source.Http) source).url();
        boolean sendToken = true;
        progress.accept("fetching " + source.display());
        for (int hop = 0; ; hop++) {
            HttpURLConnection connection = open(url, source, sendToken);
            try {
                int status = status(connection, source);
                if (status / 100 == 2) {
                    return receive(connection, what, source, expected, target);
                }
                String location = connection.getHeaderField("Location");
                if (status / 100 == 3 && location != null && source instanceof Source.Http) {
                    if (hop >= MAX_REDIRECTS) {
                        throw failure("GET " + source.display() + " redirected more than " + MAX_REDIRECTS + " times",
                                false);
                    }
                    URI next = url.resolve(location);
                    if (!"https".equals(next.getScheme()) && !("http".equals(next.getScheme()) && settings.allowHttp())) {
                        throw failure("GET " + source.display() + " redirected to " + Redact.url(next)
                                + ", which is not https", false);
                    }
                    // Like curl: the token is for the origin it was configured for, not for wherever
                    // that origin sends us (a CDN, a pre-signed blob URL).
                    sendToken &= sameOrigin(url, next);
                    url = next;
                    continue;
                }
                String answer = "GET " + source.display() + " answered " + status + errorCode(connection);
                if (RetryPolicy.retryable(status)) {
                    throw failure(answer, true);
                }
                throw failure(answer + hint(status, what, source) + "; not retrying", false);
            } finally {
                connection.disconnect();
            }
        }
    }

    private HttpURLConnection open(URI url, Source source, boolean sendToken) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        connection.setInstanceFollowRedirects(false);
        connection.setConnectTimeout(Math.toIntExact(settings.connectTimeout().toMillis()));
        connection.setReadTimeout(Math.toIntExact(settings.readTimeout().toMillis()));
        connection.setRequestProperty("User-Agent", settings.caller().userAgent());
        if (source instanceof Source.Http && sendToken) {
            settings.bearerToken().ifPresent(token -> connection.setRequestProperty("Authorization", "Bearer " + token));
        }
        if (source instanceof Source.S3) {
            // Without keys: an anonymous GET, which public buckets answer.
            settings.aws().ifPresent(credentials -> SigV4.sign("GET", url, Map.of(), credentials, settings.region(), "s3",
                    clock.instant(), SigV4.UNSIGNED_PAYLOAD).headers().forEach(connection::setRequestProperty));
        }
        return connection;
    }

    /** Connecting and reading the status line; every failure here may be transient (DNS, refused, timeout). */
    private int status(HttpURLConnection connection, Source source) throws FetchException {
        try {
            return connection.getResponseCode();
        } catch (IOException e) {
            throw failure("GET " + source.display() + ": " + describe(e), true);
        }
    }

    private Path receive(HttpURLConnection connection, String what, Source source, String expected, Path target)
            throws IOException {
        long declared = connection.getContentLengthLong();
        if (declared > settings.maxBytes()) {
            throw failure(source.display() + " is " + declared + " bytes, above the limit of " + settings.maxBytes()
                    + " (" + settings.caller().maxBytesSetting() + ")", false);
        }
        Path temp = Files.createTempFile(settings.cacheDir(), "." + expected + ".", ".part");
        boolean kept = false;
        try (InputStream in = body(connection, source); OutputStream out = Files.newOutputStream(temp)) {
            MessageDigest digest = Sha256.newDigest();
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            long start = System.nanoTime();
            long reported = start;
            for (int n; (n = read(in, buffer, source)) != -1; ) {
                total += n;
                if (total > settings.maxBytes()) {
                    throw failure(source.display() + " is larger than the limit of " + settings.maxBytes()
                            + " bytes (" + settings.caller().maxBytesSetting() + ")", false);
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                long now = System.nanoTime();
                if (now - reported >= PROGRESS_EVERY_NANOS) {
                    reported = now;
                    String line = progressLine(source.display(), total, declared, now - start);
                    LOG.info(line);
                    progress.accept(line);
                }
            }
            if (declared >= 0 && total != declared) {
                throw failure("GET " + source.display() + ": the body ended after " + total + " of " + declared
                        + " bytes", true);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expected)) {
                throw IntegrityException.mismatch(what + " " + source.display(), actual, expected);
            }
            out.close();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            kept = true;
            LOG.info(progressLine(source.display(), total, total, System.nanoTime() - start).replace("fetching",
                    "fetched") + "; sha256 verified, saved as " + target);
            return target;
        } finally {
            if (!kept) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private InputStream body(HttpURLConnection connection, Source source) throws FetchException {
        try {
            return connection.getInputStream();
        } catch (IOException e) {
            throw failure("GET " + source.display() + ": " + describe(e), true);
        }
    }

    /** A read that fails (reset, stalled past the read timeout) is worth another attempt. */
    private int read(InputStream in, byte[] buffer, Source source) throws FetchException {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw failure("GET " + source.display() + " broke off: " + describe(e), true);
        }
    }

    /** "fetching s3://b/k: 12.0 MiB of 48.0 MiB (25 %) at 6.0 MiB/s" (no total when the size is unknown). */
    static String progressLine(String display, long bytes, long total, long elapsedNanos) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        String of = total > 0 ? String.format(Locale.ROOT, " of %.1f MiB (%d %%)", total / MIB, bytes * 100 / total) : "";
        return String.format(Locale.ROOT, "fetching %s: %.1f MiB%s at %.1f MiB/s", display, bytes / MIB, of,
                bytes / MIB / seconds);
    }

    /** S3's error code (AccessDenied, NoSuchKey, SignatureDoesNotMatch, …), never the rest of the body. */
    private static String errorCode(HttpURLConnection connection) {
        try (InputStream err = connection.getErrorStream()) {
            if (err == null) {
                return "";
            }
            String head = new String(err.readNBytes(4096), StandardCharsets.UTF_8);
            Matcher code = S3_ERROR_CODE.matcher(head);
            return code.find() ? " (" + code.group(1) + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String hint(int status, String what, Source source) {
        return switch (status) {
            case 401, 403 -> source instanceof Source.S3 ? ": check the credentials Secret's AWS keys, the region"
                    + " and the bucket policy" : ": check the credentials Secret's token";
            case 404 -> ": no such " + what + " file";
            case 301, 307 -> source instanceof Source.S3 ? ": the bucket may be in another region (AWS_REGION)" : "";
            default -> "";
        };
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI url) {
        return url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + Redact.text(e.getMessage()));
    }

    /** Every message leaves through here, redacted of the configured secrets whatever produced it. */
    private FetchException failure(String message, boolean retryable) {
        return new FetchException(Redact.secrets(message, settings.secrets()), retryable);
    }

    private void deletePartials(String expected) throws IOException {
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(settings.cacheDir(), "." + expected + ".*.part")) {
            for (Path partial : partials) {
                Files.deleteIfExists(partial);
            }
        }
    }

    private void sleep(String what, Duration wait) throws FetchException {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while waiting to fetch the " + what + " again", false);
        }
    }
}
