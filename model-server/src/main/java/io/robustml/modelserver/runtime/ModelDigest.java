package io.robustml.modelserver.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The integrity check a pod runs before it serves a model: the file's SHA-256 must equal the digest
 * in the RobustModel spec, or the server never becomes ready.
 */
public final class ModelDigest {
    private ModelDigest() {
    }

    /** Lower-case hex SHA-256 of the file, streamed (model files can be larger than the heap). */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The expected digest in lower case; a malformed one is refused before any file is read or fetched. */
    public static String normalize(String expectedSha256) {
        String expected = expectedSha256 == null ? "" : expectedSha256.trim().toLowerCase(Locale.ROOT);
        if (!expected.matches("[0-9a-f]{64}")) {
            throw new ModelIntegrityException("expected sha256 must be 64 hex characters, got '" + expectedSha256 + "'");
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

    /** Throws {@link ModelIntegrityException} naming both digests when the file does not match. */
    public static void verify(Path file, String expectedSha256) throws IOException {
        String expected = normalize(expectedSha256);
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new ModelIntegrityException("model file " + file + " has sha256 " + actual + " but the spec requires "
                    + expected + "; refusing to serve it");
        }
    }

    /** The model file is not the one the spec names. */
    public static final class ModelIntegrityException extends RuntimeException {
        public ModelIntegrityException(String message) {
            super(message);
        }
    }
}
