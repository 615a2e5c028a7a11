package io.robustml.tester.run;

import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.ImageFolder;
import io.robustml.oip.data.LabelledImages;
import io.robustml.oip.data.NumpyFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The evaluation images and a pool of other images (the extraction attacker's own, then the calibration's), from a dataset URI (a path or
 * {@code file://} URI), in one of these formats:
 * <ul>
 * <li>idx files as Fashion-MNIST ships them, gzipped or not: a directory with {@code t10k-*} for the
 * evaluation and {@code train-*} (if there) as the pool, or one images file whose labels file is named
 * alike ({@code images-idx3} → {@code labels-idx1});
 * <li>a NumPy {@code .npz} archive with {@code x} and {@code y} (or Keras' {@code x_test}/{@code y_test},
 * with {@code x_train}/{@code y_train} as the pool), x in NCHW or NHWC, uint8 or float ({@link NumpyFiles#images});
 * <li>an image folder, one sub-folder per class ({@link ImageFolder}), optionally split into {@code test/}
 * and {@code train/} (the pool);
 * <li>tabular rows in a CSV file with a header row or a Parquet file ({@link TabularRows}).
 * </ul>
 * Without its own pool, a dataset's pool is what lies beyond the evaluation examples, never the same
 * ones. The new formats are read class by class in turn, so the evaluation is balanced across classes.
 */
public record EvaluationData(LabelledImages test, LabelledImages pool, boolean eightBit) {

    /** From 8-bit pixels (idx files, PNG/JPEG, a uint8 NumPy array), read as value / 255. */
    public EvaluationData(LabelledImages test, LabelledImages pool) {
        this(test, pool, true);
    }

    /**
     * The examples in the model's input range: 8-bit pixels map linearly onto it (0 to min, 255 to max), so a
     * model that takes 0–255 gets 0–255; float data are the model's inputs as they are.
     */
    public EvaluationData in(Assignment.InputRange range) {
        if (!eightBit || range.equals(Assignment.InputRange.UNIT)) {
            return this;
        }
        return new EvaluationData(onto(test, range), pool == null ? null : onto(pool, range), true);
    }

    private static LabelledImages onto(LabelledImages data, Assignment.InputRange range) {
        float span = range.max() - range.min();
        float[][] mapped = new float[data.count()][];
        for (int i = 0; i < mapped.length; i++) {
            float[] from = data.images()[i];
            mapped[i] = new float[from.length];
            for (int k = 0; k < from.length; k++) {
                mapped[i][k] = range.min() + from[k] * span;
            }
        }
        return new LabelledImages(data.count(), data.channels(), data.rows(), data.cols(), mapped, data.labels());
    }

    public static EvaluationData load(String uri, int samples, int poolSize) throws IOException {
        return load(uri, samples, poolSize, java.util.Map.of(), null);
    }

    /**
     * As above, first checking the files against {@code checksums} (file name → SHA-256; empty: unchecked):
     * see {@link DatasetChecksums}. {@code example} is the model's input without the batch dimension
     * ([channels, height, width], from its metadata); the idx format does not need it.
     */
    public static EvaluationData load(String uri, int samples, int poolSize, java.util.Map<String, String> checksums,
            long[] example) throws IOException {
        return load(uri, samples, poolSize, checksums, example, Columns.NONE);
    }

    /**
     * How a CSV dataset's columns are read: the label column (rollout.analysis.labelColumn), the feature columns by
     * name (model.input.features; empty: every other column, in the file's order) and the class names a label may
     * be given as (model.labels).
     */
    public record Columns(String label, java.util.List<String> features, java.util.List<String> classes) {
        public static final Columns NONE = new Columns(io.robustml.crds.model.RolloutSpec.AnalysisSpec.DEFAULT_LABEL_COLUMN,
                java.util.List.of(), java.util.List.of());
    }

    /** As above, with a CSV dataset's columns. */
    public static EvaluationData load(String uri, int samples, int poolSize, java.util.Map<String, String> checksums,
            long[] example, Columns columns) throws IOException {
        Path path = toPath(uri);
        if (TabularRows.isOne(path)) {
            return tabular(path, samples, poolSize, checksums, example, columns);
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".npz")) {
            if (example == null || (example.length != 1 && example.length != 3)) {
                throw new IOException("dataset " + uri + ": reading it needs the model's input shape, [channels, height, width] "
                        + "or [features], not " + (example == null ? "none" : java.util.Arrays.toString(example)));
            }
            return npz(path, samples, poolSize, checksums, example);
        }
        if (ImageFolder.isOne(path.resolve("test")) || ImageFolder.isOne(path)) {
            return imageFolder(path, samples, poolSize, checksums, needs(example, uri));
        }
        if (Files.isDirectory(path)) {
            Path images = first(path, "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte");
            Path train = poolSize > 0 ? optional(path, "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte") : null;
            java.util.List<Path> read = new java.util.ArrayList<>(java.util.List.of(images, labelsFor(images)));
            if (train != null) {
                read.addAll(java.util.List.of(train, labelsFor(train)));
            }
            DatasetChecksums.verify(path, read, checksums);
            if (poolSize > 0 && train == null) {
                // No train-* files: the pool is what lies beyond the evaluation examples, never the same images.
                return split(IdxFiles.read(images, labelsFor(images), samples + poolSize), samples, poolSize);
            }
            LabelledImages test = IdxFiles.read(images, labelsFor(images), samples);
            LabelledImages pool = train == null ? null : IdxFiles.read(train, labelsFor(train), poolSize);
            return new EvaluationData(test, pool);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException("dataset " + uri + ": no such file or directory");
        }
        DatasetChecksums.verify(path.toAbsolutePath().getParent(), java.util.List.of(path, labelsFor(path)), checksums);
        LabelledImages all = IdxFiles.read(path, labelsFor(path), poolSize > 0 ? samples + poolSize : samples);
        if (poolSize == 0) {
            return new EvaluationData(all, null);
        }
        // One file: the attacker's pool is what lies beyond the evaluation examples, never the same images.
        return split(all, samples, poolSize);
    }

    private static EvaluationData npz(Path file, int samples, int poolSize, java.util.Map<String, String> checksums,
            long[] example) throws IOException {
        DatasetChecksums.verify(file.toAbsolutePath().getParent(), java.util.List.of(file), checksums);
        java.util.Map<String, NumpyFiles.Array> arrays = NumpyFiles.readNpz(file);
        String x = arrays.containsKey("x") ? "x" : "x_test";
        String y = arrays.containsKey("y") ? "y" : "y_test";
        if (!arrays.containsKey(x) || !arrays.containsKey(y)) {
            throw new IOException(file + " holds " + arrays.keySet() + "; a dataset needs x and y (or x_test and y_test)");
        }
        boolean eightBit = arrays.get(x).integral() && example.length == 3;
        if (arrays.containsKey("x_train") && arrays.containsKey("y_train")) {
            return new EvaluationData(NumpyFiles.images(arrays.get(x), arrays.get(y), example, samples),
                    poolSize == 0 ? null : NumpyFiles.images(arrays.get("x_train"), arrays.get("y_train"), example, poolSize),
                    eightBit);
        }
        EvaluationData all = split(NumpyFiles.images(arrays.get(x), arrays.get(y), example, poolSize > 0 ? samples + poolSize : samples),
                samples, poolSize);
        return new EvaluationData(all.test(), all.pool(), eightBit);
    }

    /**
     * Tabular rows from a CSV or Parquet file ({@link TabularRows}), in the file's order: the first {@code samples}
     * evaluated, up to {@code poolSize} more as the attacker's pool. Values as they are (the model's units).
     */
    private static EvaluationData tabular(Path file, int samples, int poolSize, java.util.Map<String, String> checksums,
            long[] example, Columns columns) throws IOException {
        DatasetChecksums.verify(file.toAbsolutePath().getParent(), java.util.List.of(file), checksums);
        if (example == null || example.length != 1) {
            throw new IOException("dataset " + file + ": a " + (file.getFileName().toString().endsWith(".parquet") ? "Parquet" : "CSV")
                    + " file holds tabular rows, and the model takes "
                    + (example == null ? "no known shape" : java.util.Arrays.toString(example)) + ", not [features]");
        }
        LabelledImages all = TabularRows.read(file, samples + Math.max(0, poolSize), (int) example[0], columns);
        EvaluationData split = split(all, samples, poolSize);
        return new EvaluationData(split.test(), split.pool(), false);
    }

    private static EvaluationData imageFolder(Path dir, int samples, int poolSize, java.util.Map<String, String> checksums,
            long[] example) throws IOException {
        int c = (int) example[0];
        int h = (int) example[1];
        int w = (int) example[2];
        if (ImageFolder.isOne(dir.resolve("test"))) {
            java.util.List<Path> test = ImageFolder.files(dir.resolve("test"), samples);
            boolean ownPool = poolSize > 0 && ImageFolder.isOne(dir.resolve("train"));
            java.util.List<Path> pool = ownPool ? ImageFolder.files(dir.resolve("train"), poolSize) : java.util.List.of();
            java.util.List<Path> read = new java.util.ArrayList<>(test);
            read.addAll(pool);
            DatasetChecksums.verify(dir, read, checksums);
            if (!ownPool && poolSize > 0) {
                java.util.List<Path> both = ImageFolder.files(dir.resolve("test"), samples + poolSize);
                DatasetChecksums.verify(dir, both, checksums);
                return split(ImageFolder.read(dir.resolve("test"), both, c, h, w), samples, poolSize);
            }
            return new EvaluationData(ImageFolder.read(dir.resolve("test"), test, c, h, w),
                    ownPool ? ImageFolder.read(dir.resolve("train"), pool, c, h, w) : null);
        }
        java.util.List<Path> files = ImageFolder.files(dir, poolSize > 0 ? samples + poolSize : samples);
        DatasetChecksums.verify(dir, files, checksums);
        return split(ImageFolder.read(dir, files, c, h, w), samples, poolSize);
    }

    /** The first {@code samples} to evaluate, the rest as the pool when one is wanted. */
    private static EvaluationData split(LabelledImages all, int samples, int poolSize) {
        if (poolSize == 0) {
            return new EvaluationData(all.first(samples), null);
        }
        int at = Math.min(samples, all.count());
        return new EvaluationData(all.slice(0, at), all.slice(at, all.count()));
    }

    private static long[] needs(long[] example, String uri) throws IOException {
        if (example == null || example.length != 3) {
            throw new IOException("dataset " + uri + ": reading it needs the model's input shape [channels, height, width], not "
                    + (example == null ? "none" : java.util.Arrays.toString(example)));
        }
        return example;
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

    private static Path optional(Path dir, String... names) {
        for (String name : names) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return null;
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
}
