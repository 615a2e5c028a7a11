package io.robustml.e2e;

import java.awt.image.BufferedImage;

/** What a browser's screenshot shows, read from its pixels. */
final class Screenshots {
    /** The expected gray level of an image's pixel (row, col). */
    @FunctionalInterface
    interface Gray {
        int at(int row, int col);
    }

    private Screenshots() {
    }

    /**
     * How many times an image of {@code rows x cols} pixels, each drawn as a {@code zoom x zoom} block, appears
     * in the screenshot: every block's centre within {@code tolerance} of the expected gray (in each channel).
     * A match overlapping one already found (the same image a pixel off: block centres still agree) is not counted.
     */
    static int count(BufferedImage shot, int rows, int cols, int zoom, Gray expected, int tolerance) {
        java.util.List<java.awt.Rectangle> found = new java.util.ArrayList<>();
        int width = cols * zoom;
        int height = rows * zoom;
        for (int y = 0; y + height <= shot.getHeight(); y++) {
            for (int x = 0; x + width <= shot.getWidth(); x++) {
                java.awt.Rectangle here = new java.awt.Rectangle(x, y, width, height);
                if (found.stream().noneMatch(here::intersects) && matches(shot, x, y, rows, cols, zoom, expected, tolerance)) {
                    found.add(here);
                }
            }
        }
        return found.size();
    }

    private static boolean matches(BufferedImage shot, int x, int y, int rows, int cols, int zoom, Gray expected, int tolerance) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int rgb = shot.getRGB(x + c * zoom + zoom / 2, y + r * zoom + zoom / 2);
                int want = expected.at(r, c);
                if (Math.abs(((rgb >> 16) & 0xff) - want) > tolerance || Math.abs(((rgb >> 8) & 0xff) - want) > tolerance
                        || Math.abs((rgb & 0xff) - want) > tolerance) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The share of pixels darker than mid-gray: text and rules on a white page. */
    static double darkShare(BufferedImage shot) {
        long dark = 0;
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                int rgb = shot.getRGB(x, y);
                dark += ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff) < 3 * 128 ? 1 : 0;
            }
        }
        return (double) dark / ((long) shot.getWidth() * shot.getHeight());
    }
}
