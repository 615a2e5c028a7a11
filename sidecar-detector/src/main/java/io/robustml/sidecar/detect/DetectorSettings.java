package io.robustml.sidecar.detect;

import io.robustml.oip.detector.DetectorConfig;
import io.robustml.oip.detector.DetectorConfig.Detector;
import io.robustml.oip.detector.DetectorConfig.Method;
import io.robustml.oip.squeeze.Squeezers;
import java.util.Set;

/**
 * The sidecar's view of detector.json's {@code detector} ({@link DetectorConfig.Detector}, the contract the
 * operator renders): what each request needs to ask of it, and the output hardening it applies. The
 * defaults are the contract's; nothing here restates them.
 */
public record DetectorSettings(Detector spec, OutputHardening hardening, java.util.List<DetectorConfig.Column> columns,
        DetectorConfig.Column range, DetectorConfig.Normalization normalization, DetectorConfig.ChannelsLast channelsLast) {
    /** Hashes kept per query. */
    public static final int TOP_HASHES = io.robustml.oip.similarity.Fingerprints.TOP_HASHES;

    public static DetectorSettings of(Detector spec) {
        return new DetectorSettings(spec, OutputHardening.of(spec.outputHardening()), java.util.List.of(), null, null, null);
    }

    /** With a tabular input's columns or an image's range: the detectors see its rows scaled by them. */
    public static DetectorSettings of(DetectorConfig config) {
        return new DetectorSettings(config.detector(), OutputHardening.of(config.detector().outputHardening()), config.columns(),
                config.range(), config.normalization(), config.channelsLast());
    }

    /**
     * A row as the detectors see it: a tabular row scaled to [0, 1] by its columns, an image's pixels (channels first,
     * recovered from normalised values) scaled by its range (as they are in [0, 1]).
     */
    public float[] row(float[] values) {
        if (!columns.isEmpty()) {
            return DetectorConfig.scaled(columns, values);
        }
        float[] chw = channelsFirst(values);
        return DetectorConfig.scaled(range, normalization == null ? chw : normalization.toPixels(chw));
    }

    /**
     * A row's bit-depth-reduced copy, in the model's units and layout: the reduction works on its pixels scaled by
     * their range. (Median smoothing needs neither: a median commutes with a channel's positive scale and shift.)
     */
    public float[] squeezeBitDepth(float[] row) {
        float[] chw = channelsFirst(row);
        float[] pixels = normalization == null ? chw : normalization.toPixels(chw);
        float[] squeezed = range == null ? Squeezers.bitDepth(pixels, bitDepth())
                : Squeezers.bitDepth(pixels, bitDepth(), range.min(), range.max());
        return modelLayout(normalization == null ? squeezed : normalization.fromPixels(squeezed));
    }

    /** An image row in [C, H, W] order (a channels-last model's [H, W, C] transposed; otherwise as it is). */
    public float[] channelsFirst(float[] row) {
        return channelsLast == null ? row : channelsLast.toChannelsFirst(row);
    }

    /** A [C, H, W] row in the order the model takes. */
    public float[] modelLayout(float[] chw) {
        return channelsLast == null ? chw : channelsLast.toChannelsLast(chw);
    }

    public static DetectorSettings off() {
        return of(Detector.OFF);
    }

    /** Feature squeezing only, as the calibration command and tests use it. */
    public static DetectorSettings squeezing(Double threshold, int bitDepth, int medianWindow) {
        return of(new Detector(Set.of(Method.FEATURE_SQUEEZING), null, new DetectorConfig.FeatureSqueezing(threshold, null, bitDepth,
                medianWindow), null, null, null, null, null, null, null, null, null));
    }

    /** flag, block or fallback, as detector.json spells it (logs, forensic records). */
    public String action() {
        return spec.action().name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean featureSqueezing() {
        return spec.uses(Method.FEATURE_SQUEEZING);
    }

    /** Flag above this score; null when only a target false-positive rate is set and no threshold was calibrated yet. */
    public Double squeezingThreshold() {
        return spec.featureSqueezing().threshold();
    }

    /** The same settings judging squeezing scores at {@code threshold} (the analysis' own requests: AnalysisOverride). */
    public DetectorSettings withSqueezingThreshold(double threshold) {
        if (!featureSqueezing()) {
            return this;
        }
        DetectorConfig.FeatureSqueezing fs = spec.featureSqueezing();
        return new DetectorSettings(new Detector(spec.methods(), spec.action(), new DetectorConfig.FeatureSqueezing(threshold,
                fs.targetFalsePositiveRate(), fs.bitDepth(), fs.medianWindow()), spec.querySimilarity(), spec.extraction(),
                spec.rateLimit(), spec.outputHardening(), spec.blockedClients(), spec.forensicLog(), spec.authentication(),
                spec.sharedStore(), spec.fallback()), hardening, columns, range, normalization, channelsLast);
    }

    public int bitDepth() {
        return spec.featureSqueezing().bitDepth();
    }

    public int medianWindow() {
        return spec.featureSqueezing().medianWindow();
    }

    public boolean querySimilarity() {
        return spec.uses(Method.QUERY_SIMILARITY);
    }

    public int matchThreshold() {
        return spec.querySimilarity().matchThreshold();
    }

    public int windowSize() {
        return spec.querySimilarity().windowSize();
    }

    public int quantization() {
        return spec.querySimilarity().quantization();
    }

    public boolean extraction() {
        return spec.uses(Method.EXTRACTION);
    }

    public double extractionDelta() {
        return spec.extraction().delta();
    }

    /** The fallback when one is configured, else null. */
    public DetectorConfig.Fallback fallback() {
        return spec.fallback();
    }

    public boolean forensicLog() {
        return spec.forensicLog().enabled();
    }

    public long forensicRetentionSeconds() {
        return spec.forensicLog().retentionSeconds();
    }

    /** {@code sharedStore.onFailure: closed}: refuse (503) while the shared store does not answer. */
    public boolean storeFailsClosed() {
        return spec.sharedStore().onFailure() == DetectorConfig.StoreFailure.CLOSED;
    }

    public boolean inspects() {
        return featureSqueezing() || querySimilarity() || extraction();
    }

    public boolean fallsBack() {
        return spec.action() == DetectorConfig.Action.FALLBACK && spec.fallback() != null;
    }

    public boolean blocks() {
        return spec.action() == DetectorConfig.Action.BLOCK;
    }
}
