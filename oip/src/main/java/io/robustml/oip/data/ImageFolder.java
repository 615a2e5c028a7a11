package io.robustml.oip.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Labelled images as files, one sub-folder per class ({@code <dir>/<class>/<image>.png|jpg|jpeg}), as
 * torchvision's ImageFolder reads them: classes are the sub-folders in sorted order, so class i is the
 * i-th name. PNG and JPEG are decoded by the JDK's ImageIO; each image must already have the model's
 * size; 1 channel takes the luma of colour images (ITU-R BT.601), 3 channels RGB; pixels scaled to [0, 1].
 */
public final class ImageFolder {
    private ImageFolder() {
    }

    /** Whether {@code dir} looks like an image folder: at least one sub-folder holding an image. */
    public static boolean isOne(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> classes = Files.list(dir)) {
            for (Path c : classes.filter(Files::isDirectory).toList()) {
                if (!images(c).isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The class names, sorted: class i is the i-th. */
    public static List<String> classes(Path dir) throws IOException {
        try (Stream<Path> classes = Files.list(dir)) {
            return classes.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The files of up to {@code limit} images (≤ 0: all), taken class by class in turn (the first image of
     * each class, then the second, ...) so any prefix is balanced across classes.
     */
    public static List<Path> files(Path dir, int limit) throws IOException {
        List<List<Path>> perClass = new ArrayList<>();
        for (String name : classes(dir)) {
            perClass.add(images(dir.resolve(name)));
        }
        int total = perClass.stream().mapToInt(List::size).sum();
        int wanted = limit > 0 ? Math.min(limit, total) : total;
        List<Path> files = new ArrayList<>();
        for (int i = 0; files.size() < wanted; i++) {
            for (int c = 0; c < perClass.size() && files.size() < wanted; c++) {
                if (i < perClass.get(c).size()) {
                    files.add(perClass.get(c).get(i));
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no PNG or JPEG image in any class folder");
        }
        return files;
    }

    /** {@code files} of {@link #files} as images of the model's size; each one's class is its folder's index. */
    public static LabelledImages read(Path dir, List<Path> files, int channels, int rows, int cols) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IOException(dir + ": image folders serve models of 1 or 3 channels, not " + channels);
        }
        List<String> names = classes(dir);
        float[][] x = new float[files.size()][];
        int[] labels = new int[files.size()];
        for (int i = 0; i < files.size(); i++) {
            x[i] = pixels(files.get(i), channels, rows, cols);
            labels[i] = names.indexOf(files.get(i).getParent().getFileName().toString());
        }
        return new LabelledImages(files.size(), channels, rows, cols, x, labels);
    }

    private static List<Path> images(Path classDir) throws IOException {
        try (Stream<Path> files = Files.list(classDir)) {
            return files.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
            }).sorted().toList();
        }
    }

    /** One image, channel-first. */
    static float[] pixels(Path file, int channels, int rows, int cols) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": not a PNG or JPEG image ImageIO can decode");
        }
        if (image.getHeight() != rows || image.getWidth() != cols) {
            throw new IOException(file + " is " + image.getWidth() + "x" + image.getHeight() + "; the model takes "
                    + cols + "x" + rows + " (resize the dataset first)");
        }
        float[] out = new float[channels * rows * cols];
        boolean gray = image.getType() == BufferedImage.TYPE_BYTE_GRAY;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int at = r * cols + c;
                if (gray && channels == 1) { // the stored byte itself: getRGB would apply a colour transform
                    out[at] = image.getRaster().getSample(c, r, 0) / 255f;
                    continue;
                }
                int rgb = image.getRGB(c, r);
                float red = ((rgb >> 16) & 0xff) / 255f;
                float green = ((rgb >> 8) & 0xff) / 255f;
                float blue = (rgb & 0xff) / 255f;
                if (channels == 1) {
                    out[at] = 0.299f * red + 0.587f * green + 0.114f * blue;
                } else {
                    out[at] = red;
                    out[rows * cols + at] = green;
                    out[2 * rows * cols + at] = blue;
                }
            }
        }
        return out;
    }
}
