package io.robustml.tester.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The evaluation set is part of the verdict: a swapped or truncated file would judge a model on other
 * data than the one the spec names. When the run lists checksums, every file the tester is about to
 * read must be listed and every listed file must exist and match — checked before a byte is parsed,
 * so a refused dataset measures nothing.
 */
final class DatasetChecksums {
    private DatasetChecksums() {
    }

    /**
     * @param dir      the dataset directory (the file's own directory for a one-file dataset)
     * @param read     the files the tester will read
     * @param expected file name (relative to {@code dir}) → lower-case hex SHA-256; empty: nothing is checked
     */
    static void verify(Path dir, List<Path> read, Map<String, String> expected) throws IOException {
        if (expected.isEmpty()) {
            return;
        }
        for (Path file : read) {
            String name = dir.relativize(file.toAbsolutePath()).toString();
            if (!expected.containsKey(name)) {
                throw new IOException("dataset file " + name + " would be read but has no sha256 in datasetChecksums (listed: "
                        + String.join(", ", expected.keySet()) + "): refusing the dataset, nothing was measured");
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path file = dir.resolve(e.getKey()).normalize();
            if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                throw new IOException("datasetChecksums lists " + e.getKey() + ", which is not a file of the dataset " + dir
                        + ": refusing the dataset, nothing was measured");
            }
            String actual = io.robustml.fetch.Sha256.of(file);
            if (!actual.equalsIgnoreCase(e.getValue())) {
                throw new IOException("dataset file " + e.getKey() + " has sha256 " + actual + ", but datasetChecksums says "
                        + e.getValue() + ": refusing the dataset, nothing was measured");
            }
        }
    }
}
