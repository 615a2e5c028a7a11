package io.robustml.oip.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * NumPy's {@code .npy} arrays and {@code .npz} archives of them (numpy.save, numpy.savez, savez_compressed),
 * format versions 1–3: little- or big-endian booleans, integers and floats, C order. Only what the
 * evaluation needs is kept in memory: an array's values as float (integers up to 2^24 exactly).
 */
public final class NumpyFiles {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-zA-Z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Largest array read (values), so a hostile header cannot ask for more memory than a pod has. */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private NumpyFiles() {
    }

    /** One array: its shape, its values in C order as float, and whether its dtype is an integer or boolean one. */
    public record Array(String name, long[] shape, float[] values, boolean integral, int itemBytes) {
        /** Values per entry of the first axis. */
        public int rowSize() {
            long n = 1;
            for (int d = 1; d < shape.length; d++) {
                n *= shape[d];
            }
            return (int) n;
        }

        public int rows() {
            return shape.length == 0 ? 1 : (int) shape[0];
        }
    }

    /** A {@code .npy} file. */
    public static Array readNpy(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.getFileName().toString());
        }
    }

    /** Every array of a {@code .npz} archive, by name (the entry name without {@code .npy}). */
    public static Map<String, Array> readNpz(Path file) throws IOException {
        Map<String, Array> arrays = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (!e.isDirectory() && e.getName().endsWith(".npy")) {
                    String name = e.getName().substring(0, e.getName().length() - 4);
                    arrays.put(name, read(zip, file.getFileName() + ":" + name));
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is not a .npz archive: " + e.getMessage());
        }
        if (arrays.isEmpty()) {
            throw new IOException(file + " holds no .npy array");
        }
        return arrays;
    }

    static Array read(InputStream raw, String where) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] magic = new byte[6];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException(where + ": not a NumPy .npy array (no \\\\x93NUMPY magic)");
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        long headerLength = switch (major) {
            case 1 -> Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            case 2, 3 -> Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            default -> throw new IOException(where + ": .npy format version " + major + " is not supported (1–3 are)");
        };
        if (headerLength > 1 << 20) {
            throw new IOException(where + ": implausible .npy header of " + headerLength + " bytes");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        in.readFully(headerBytes);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new IOException(where + ": .npy header not understood: " + header.strip());
        }
        if (fortran.group(1).equals("True")) {
            throw new IOException(where + ": saved in Fortran order; save it in NumPy's default C order (np.ascontiguousarray)");
        }
        char kind = descr.group(2).charAt(0);
        int size = Integer.parseInt(descr.group(3));
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        boolean supported = switch (kind) {
            case 'b' -> size == 1;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'f' -> size == 4 || size == 8;
            default -> false;
        };
        if (!supported) {
            throw new IOException(where + ": dtype " + descr.group(1) + descr.group(2) + descr.group(3)
                    + " is not supported (bool, int8–64, uint8–64, float32, float64 are)");
        }
        String[] dims = shapeText.group(1).split(",");
        long[] shape = Arrays.stream(dims).map(String::strip).filter(d -> !d.isEmpty()).mapToLong(Long::parseLong).toArray();
        long count = 1;
        for (long d : shape) {
            if (d < 0 || (d > 0 && count > MAX_VALUES / d)) {
                throw new IOException(where + ": shape " + Arrays.toString(shape) + " is larger than " + MAX_VALUES + " values");
            }
            count *= d;
        }
        float[] values = new float[(int) count];
        byte[] chunk = new byte[size * 8192];
        int done = 0;
        while (done < count) {
            int n = (int) Math.min(8192, count - done);
            in.readFully(chunk, 0, n * size);
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, n * size).order(order);
            for (int i = 0; i < n; i++) {
                values[done + i] = switch (kind) {
                    case 'b' -> b.get() != 0 ? 1f : 0f;
                    case 'u' -> switch (size) {
                        case 1 -> b.get() & 0xff;
                        case 2 -> b.getShort() & 0xffff;
                        case 4 -> b.getInt() & 0xffffffffL;
                        default -> unsigned(b.getLong());
                    };
                    case 'i' -> switch (size) {
                        case 1 -> b.get();
                        case 2 -> b.getShort();
                        case 4 -> b.getInt();
                        default -> b.getLong();
                    };
                    default -> size == 4 ? b.getFloat() : (float) b.getDouble();
                };
            }
            done += n;
        }
        return new Array(where, shape, values, kind != 'f', size);
    }

    /**
     * Images {@code x} and class indices {@code y} as {@link LabelledImages} for a model taking {@code example}
     * ([channels, rows, cols]): x per example as [C, H, W] (NCHW), [H, W, C] (NHWC, transposed here) or
     * [H, W] for one channel. Integer pixels are scaled by 1/255 (uint8 images, as torchvision's ToTensor),
     * floats taken as they are. Up to {@code limit} examples (≤ 0: all), class by class in turn.
     */
    public static LabelledImages images(Array x, Array y, long[] example, int limit) throws IOException {
        if (example.length == 1) {
            return rows(x, y, (int) example[0], limit);
        }
        if (example.length != 3) {
            throw new IOException("image datasets need a model input of [channels, height, width], not " + Arrays.toString(example));
        }
        int channels = (int) example[0];
        int rows = (int) example[1];
        int cols = (int) example[2];
        long[] per = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
        boolean nchw = Arrays.equals(per, example) || (channels == 1 && Arrays.equals(per, new long[] {rows, cols}));
        boolean nhwc = !nchw && Arrays.equals(per, new long[] {rows, cols, channels});
        if (!nchw && !nhwc) {
            throw new IOException(x.name() + " holds examples of shape " + Arrays.toString(per) + "; the model takes "
                    + Arrays.toString(example) + " (NCHW) or its NHWC form");
        }
        if (!y.integral() || y.shape().length != 1 || y.shape()[0] != x.shape()[0]) {
            throw new IOException(y.name() + " must be one integer class index per example: dtype "
                    + (y.integral() ? "integer" : "float") + ", shape " + Arrays.toString(y.shape()) + " for " + x.shape()[0] + " examples");
        }
        if (x.integral() && x.itemBytes() != 1) {
            throw new IOException(x.name() + ": integer pixels must be uint8 (0–255); other images as float32 or float64");
        }
        int[] picked = balanced(y.values(), limit);
        int features = channels * rows * cols;
        float[][] images = new float[picked.length][features];
        int[] labels = new int[picked.length];
        for (int i = 0; i < picked.length; i++) {
            int from = picked[i] * features;
            float[] image = images[i];
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < rows * cols; p++) {
                    float v = nchw ? x.values()[from + c * rows * cols + p] : x.values()[from + p * channels + c];
                    image[c * rows * cols + p] = x.integral() ? v / 255f : v;
                }
            }
            labels[i] = (int) y.values()[picked[i]];
        }
        return new LabelledImages(picked.length, channels, rows, cols, images, labels);
    }

    /**
     * Tabular rows (a model input of [features]): x of shape [N, features], values as they are (integers too: a
     * column's units are the model's), held as 1×1×features.
     */
    static LabelledImages rows(Array x, Array y, int features, int limit) throws IOException {
        if (x.shape().length != 2 || x.shape()[1] != features) {
            throw new IOException(x.name() + " holds examples of shape " + Arrays.toString(Arrays.copyOfRange(x.shape(), 1,
                    x.shape().length)) + "; the model takes rows of " + features + " values");
        }
        if (!y.integral() || y.shape().length != 1 || y.shape()[0] != x.shape()[0]) {
            throw new IOException(y.name() + " must be one integer class index per example: dtype "
                    + (y.integral() ? "integer" : "float") + ", shape " + Arrays.toString(y.shape()) + " for " + x.shape()[0] + " examples");
        }
        int[] picked = balanced(y.values(), limit);
        float[][] rows = new float[picked.length][];
        int[] labels = new int[picked.length];
        for (int i = 0; i < picked.length; i++) {
            rows[i] = Arrays.copyOfRange(x.values(), picked[i] * features, (picked[i] + 1) * features);
            labels[i] = (int) y.values()[picked[i]];
        }
        return new LabelledImages(picked.length, 1, 1, features, rows, labels);
    }

    /** Indices of up to {@code limit} examples, taking the classes in turn in file order (≤ 0: every example, in order). */
    static int[] balanced(float[] labels, int limit) throws IOException {
        if (limit <= 0 || limit >= labels.length) {
            return java.util.stream.IntStream.range(0, labels.length).toArray();
        }
        java.util.TreeMap<Integer, java.util.ArrayDeque<Integer>> byClass = new java.util.TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] != Math.rint(labels[i])) {
                throw new IOException("class index " + labels[i] + " at example " + i + " is not a non-negative integer");
            }
            byClass.computeIfAbsent((int) labels[i], k -> new java.util.ArrayDeque<>()).add(i);
        }
        int[] picked = new int[limit];
        int n = 0;
        while (n < limit) {
            for (var queue : byClass.values()) {
                if (n < limit && !queue.isEmpty()) {
                    picked[n++] = queue.poll();
                }
            }
        }
        return picked;
    }

    private static float unsigned(long v) {
        return v >= 0 ? v : (float) (v >>> 1) * 2f;
    }
}
