package io.robustml.tester.run;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model file a white-box attack differentiates through: a local path or {@code file://} URI
 * (the operator mounts the verified file into the tester's pod), checked against its SHA-256 so the
 * tester never judges a different model than the one that serves.
 */
public final class ModelFile {
    private ModelFile() {
    }

    public static Path resolve(String uri, String expectedSha256) throws IOException {
        Path path;
        if (uri.startsWith("file:")) {
            path = Path.of(URI.create(uri));
        } else if (uri.contains("://")) {
            throw new IOException("model " + uri + ": white-box attacks need the file on local disk (file:// or a path); "
                    + "the operator mounts pvc:// models and the tester fetches s3:// and https:// ones first");
        } else {
            path = Path.of(uri);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("model " + uri + ": no such file");
        }
        if (expectedSha256 != null) {
            String actual = io.robustml.fetch.Sha256.of(path);
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new IOException("model " + uri + " has SHA-256 " + actual + ", the run expects " + expectedSha256);
            }
        }
        return path;
    }
}
