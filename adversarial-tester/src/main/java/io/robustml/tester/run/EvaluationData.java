package io.robustml.tester.run;

import io.robustml.oip.data.IdxDataset;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The evaluation images and the extraction attacker's own pool, from a dataset URI: a directory (or
 * {@code file://} URI of one) holding idx files as Fashion-MNIST ships them — {@code t10k-*} for the
 * evaluation, {@code train-*} as the attacker's pool — or the path of one images file whose labels
 * file is named alike ({@code images-idx3} → {@code labels-idx1}). Gzipped or not.
 */
public record EvaluationData(IdxDataset test, IdxDataset pool) {

    public static EvaluationData load(String uri, int samples, int poolSize) throws IOException {
        return load(uri, samples, poolSize, java.util.Map.of());
    }

    /**
     * As above, first checking the files against {@code checksums} (file name → SHA-256; empty: unchecked):
     * see {@link DatasetChecksums}.
     */
    public static EvaluationData load(String uri, int samples, int poolSize, java.util.Map<String, String> checksums)
            throws IOException {
        Path path = toPath(uri);
        if (Files.isDirectory(path)) {
            Path images = first(path, "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte");
            Path train = poolSize > 0 ? first(path, "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte") : null;
            java.util.List<Path> read = new java.util.ArrayList<>(java.util.List.of(images, labelsFor(images)));
            if (train != null) {
                read.addAll(java.util.List.of(train, labelsFor(train)));
            }
            DatasetChecksums.verify(path, read, checksums);
            IdxDataset test = IdxDataset.read(images, labelsFor(images), samples);
            IdxDataset pool = train == null ? null : IdxDataset.read(train, labelsFor(train), poolSize);
            return new EvaluationData(test, pool);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("dataset " + uri + ": no such file or directory");
        }
        DatasetChecksums.verify(path.toAbsolutePath().getParent(), java.util.List.of(path, labelsFor(path)), checksums);
        IdxDataset all = IdxDataset.read(path, labelsFor(path), poolSize > 0 ? samples + poolSize : samples);
        if (poolSize == 0) {
            return new EvaluationData(all, null);
        }
        // One file: the attacker's pool is what lies beyond the evaluation examples, never the same images.
        int split = Math.min(samples, all.count());
        return new EvaluationData(slice(all, 0, split), slice(all, split, all.count()));
    }

    static Path toPath(String uri) throws IOException {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        if (uri.contains("://")) {
            throw new IOException("dataset " + uri + ": only local files (file:// or a path) are supported; "
                    + "mount the dataset into the tester's pod");
        }
        return Path.of(uri);
    }

    private static Path first(Path dir, String... names) throws IOException {
        for (String name : names) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new IOException("dataset directory " + dir + " has none of " + String.join(", ", names));
    }

    static Path labelsFor(Path images) throws IOException {
        String name = images.getFileName().toString();
        if (!name.contains("images-idx3")) {
            throw new IOException(images + ": cannot tell the labels file (expected a name containing images-idx3)");
        }
        return images.resolveSibling(name.replace("images-idx3", "labels-idx1"));
    }

    private static IdxDataset slice(IdxDataset d, int from, int to) {
        return new IdxDataset(to - from, d.rows(), d.cols(), java.util.Arrays.copyOfRange(d.images(), from, to),
                java.util.Arrays.copyOfRange(d.labels(), from, to));
    }
}
