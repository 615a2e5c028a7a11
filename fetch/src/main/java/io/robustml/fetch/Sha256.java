package io.robustml.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The integrity check every file the project reads by digest goes through (the model a pod serves,
 * the tester's dataset, corpus and models): the file's SHA-256 must equal the one the spec names.
 */
public final class Sha256 {
    private Sha256() {
    }

    /** Lower-case hex SHA-256 of the file, streamed (model files can be larger than the heap). */
    public static String of(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Lower-case hex SHA-256 of bytes in memory. */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** The expected digest in lower case; a malformed one is refused before any file is read or fetched. */
    public static String normalize(String expectedSha256) {
        String expected = expectedSha256 == null ? "" : expectedSha256.trim().toLowerCase(Locale.ROOT);
        if (!expected.matches("[0-9a-f]{64}")) {
            throw new IntegrityException("expected sha256 must be 64 hex characters, got '" + expectedSha256 + "'");
        }
        return expected;
    }

    /** A new SHA-256 digest, for hashing a stream while it is written. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /**
     * Throws {@link IntegrityException} naming both digests when the file does not match; {@code what}
     * names the file's role in the message ("model file", "dataset").
     */
    public static void verify(String what, Path file, String expectedSha256) throws IOException {
        String expected = normalize(expectedSha256);
        String actual = of(file);
        if (!actual.equals(expected)) {
            throw IntegrityException.mismatch(what + " " + file, actual, expected);
        }
    }
}
