package io.robustml.tester.attack;

/** Channels, height and width of a flat channel-first image (what Square Attack's windows need). */
public record Geometry(int channels, int height, int width) {
    public Geometry {
        if (channels < 1 || height < 2 || width < 2) {
            throw new IllegalArgumentException("not an image geometry: " + channels + "x" + height + "x" + width);
        }
    }

    public int size() {
        return channels * height * width;
    }

    /** The geometry of {@code features} values arranged as {@code height} x {@code width} images. */
    public static Geometry of(int features, int height, int width) {
        if (features % (height * width) != 0) {
            throw new IllegalArgumentException(features + " values are not whole " + height + "x" + width + " images");
        }
        return new Geometry(features / (height * width), height, width);
    }
}
