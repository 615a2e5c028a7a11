package io.robustml.oip.data;

import java.util.Arrays;

/**
 * Labelled images in memory, whatever file format they came from: each image channel-first
 * ({@code channels × rows × cols} values, row-major), pixels as the dataset's reader scales them (to
 * [0, 1] for integer pixel formats), one class index per image.
 */
public record LabelledImages(int count, int channels, int rows, int cols, float[][] images, int[] labels) {
    public LabelledImages {
        if (images.length != count || labels.length != count) {
            throw new IllegalArgumentException(count + " images expected, got " + images.length + " images and "
                    + labels.length + " labels");
        }
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), sharing the arrays of each image. */
    public LabelledImages slice(int from, int to) {
        return new LabelledImages(to - from, channels, rows, cols, Arrays.copyOfRange(images, from, to),
                Arrays.copyOfRange(labels, from, to));
    }

    /** The first {@code limit} images ({@code limit} ≤ 0: all). */
    public LabelledImages first(int limit) {
        return limit <= 0 || limit >= count ? this : slice(0, limit);
    }
}
