package io.robustml.oip.detector;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.List;
import java.util.Set;

/**
 * {@code detector.json}: the detector's runtime settings, which the operator renders from
 * {@code spec.detector} into the ConfigMap {@code <model>-detector} and every sidecar reads (and reloads)
 * — one type for both sides, its defaults declared here and nowhere else. Absent fields take the
 * defaults below; values are checked when the record is built, with the field's path in the message.
 * Unknown fields are ignored so that a sidecar one version behind still reads a newer operator's file.
 *
 * @param model  the RobustModel's name (names the shared fingerprint table and the forensic records)
 * @param labels the model's class labels, in output order (empty when the spec names none)
 * @param columns a tabular input's columns (model.input.features), in order: the detectors see each row
 *                scaled to [0, 1] by them; empty for images
 * @param range   an image input's value range (model.input.range) when it is not [0, 1]: squeezing reduces the
 *                bit depth of values scaled to [0, 1] by it, and fingerprints see them scaled; null for [0, 1]
 * @param normalization the per-channel normalisation the model takes (model.input.normalization): the detectors
 *                work on the pixels they recover from a request's values; null when the model takes pixels
 * @param channelsLast an image model that takes [H, W, C] (model.input.layout NHWC): the detectors see each row
 *                transposed to [C, H, W]; null for channels first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DetectorConfig(String model, List<String> labels, Detector detector,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Column> columns, Column range, Normalization normalization,
        ChannelsLast channelsLast) {
    public static final String FILE = "detector.json";

    public DetectorConfig {
        model = model == null ? "default" : model;
        labels = labels == null ? List.of() : List.copyOf(labels);
        detector = detector == null ? Detector.OFF : detector;
        columns = columns == null ? List.of() : List.copyOf(columns);
    }

    public DetectorConfig(String model, List<String> labels, Detector detector) {
        this(model, labels, detector, null, null, null, null);
    }

    public DetectorConfig(String model, List<String> labels, Detector detector, List<Column> columns) {
        this(model, labels, detector, columns, null, null, null);
    }

    /** A channels-last image input of {@code channels} channels: rows are [H, W, C], the detectors work on [C, H, W]. */
    public record ChannelsLast(int channels) {
        public ChannelsLast {
            require(channels >= 1, "channelsLast.channels must be at least 1, got " + channels);
        }

        /** A row from [H, W, C] order to [C, H, W] order. */
        public float[] toChannelsFirst(float[] hwc) {
            int plane = hwc.length / channels;
            float[] out = new float[hwc.length];
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < channels; c++) {
                    out[c * plane + p] = hwc[p * channels + c];
                }
            }
            return out;
        }

        /** A row from [C, H, W] order back to [H, W, C] order. */
        public float[] toChannelsLast(float[] chw) {
            int plane = chw.length / channels;
            float[] out = new float[chw.length];
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < channels; c++) {
                    out[p * channels + c] = chw[c * plane + p];
                }
            }
            return out;
        }
    }

    /**
     * Per-channel normalisation: the model takes (pixel - mean[c]) / std[c], channels first, every channel a plane of
     * equal size.
     */
    public record Normalization(List<Double> mean, List<Double> std) {
        public Normalization {
            require(mean != null && std != null && !mean.isEmpty() && mean.size() == std.size(),
                    "normalization needs one mean and one std per channel");
            require(std.stream().allMatch(v -> v != null && v > 0), "normalization.std must be positive, got " + std);
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }

        /** The pixels behind a row of the model's values. */
        public float[] toPixels(float[] row) {
            int plane = row.length / mean.size();
            float[] out = new float[row.length];
            for (int k = 0; k < row.length; k++) {
                int c = Math.min(mean.size() - 1, k / Math.max(1, plane));
                out[k] = (float) (row[k] * std.get(c) + mean.get(c));
            }
            return out;
        }

        /** The model's values for a row of pixels. */
        public float[] fromPixels(float[] pixels) {
            int plane = pixels.length / mean.size();
            float[] out = new float[pixels.length];
            for (int k = 0; k < pixels.length; k++) {
                int c = Math.min(mean.size() - 1, k / Math.max(1, plane));
                out[k] = (float) ((pixels[k] - mean.get(c)) / std.get(c));
            }
            return out;
        }
    }

    /** One column of a tabular input, or an image input's range: the range the detectors scale values by. */
    public record Column(double min, double max) {
        public Column {
            require(min < max, "columns[].min must be below columns[].max, got " + min + " and " + max);
        }
    }

    /** A row in the detectors' space: each value scaled to [0, 1] by the range (as it is without one). */
    public static float[] scaled(Column range, float[] row) {
        if (range == null) {
            return row;
        }
        float[] out = new float[row.length];
        for (int j = 0; j < row.length; j++) {
            out[j] = (float) ((row[j] - range.min()) / (range.max() - range.min()));
        }
        return out;
    }

    /** A row in the detectors' space: each value scaled to [0, 1] by its column (as it is without columns). */
    public static float[] scaled(List<Column> columns, float[] row) {
        if (columns.isEmpty() || columns.size() != row.length) {
            return row;
        }
        float[] out = new float[row.length];
        for (int j = 0; j < row.length; j++) {
            Column c = columns.get(j);
            out[j] = (float) ((row[j] - c.min()) / (c.max() - c.min()));
        }
        return out;
    }

    public enum Method {
        @JsonProperty("featureSqueezing") FEATURE_SQUEEZING,
        @JsonProperty("querySimilarity") QUERY_SIMILARITY,
        @JsonProperty("extraction") EXTRACTION
    }

    public enum Action {
        @JsonProperty("flag") FLAG,
        @JsonProperty("block") BLOCK,
        @JsonProperty("fallback") FALLBACK
    }

    /** {@code spec.detector}, as the sidecar needs it (the Secrets' names are not in it: their content is mounted). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detector(Set<Method> methods, Action action, FeatureSqueezing featureSqueezing, QuerySimilarity querySimilarity,
            Extraction extraction, RateLimit rateLimit, OutputHardening outputHardening, List<BlockedClient> blockedClients,
            ForensicLog forensicLog, Authentication authentication, SharedStore sharedStore, Fallback fallback) {
        /** No detector, nothing limited by the config (the sidecar's properties decide the rate limit). */
        public static final Detector OFF = new Detector(null, null, null, null, null, null, null, null, null, null, null, null);

        public Detector {
            // In declaration order, so that the rendered file is the same bytes on every operator start.
            methods = methods == null || methods.isEmpty() ? Set.of()
                    : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(methods));
            action = action == null ? Action.FLAG : action;
            featureSqueezing = featureSqueezing == null ? FeatureSqueezing.DEFAULT : featureSqueezing;
            querySimilarity = querySimilarity == null ? QuerySimilarity.DEFAULT : querySimilarity;
            extraction = extraction == null ? Extraction.DEFAULT : extraction;
            outputHardening = outputHardening == null ? OutputHardening.NONE : outputHardening;
            blockedClients = blockedClients == null ? List.of() : List.copyOf(blockedClients);
            forensicLog = forensicLog == null ? ForensicLog.DEFAULT : forensicLog;
            sharedStore = sharedStore == null ? SharedStore.DEFAULT : sharedStore;
            if (action == Action.FALLBACK && fallback == null) {
                throw new IllegalArgumentException("detector.action fallback needs detector.fallback");
            }
            // rateLimit and authentication stay null when absent: the sidecar's own settings apply then.
        }

        public boolean uses(Method method) {
            return methods.contains(method);
        }
    }

    /**
     * @param threshold               flag above this score (0-2); null: not calibrated yet, scores are measured and nothing is flagged
     * @param targetFalsePositiveRate what the operator calibrates the threshold for (read by the operator, carried for the record)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FeatureSqueezing(Double threshold, Double targetFalsePositiveRate, Integer bitDepth, Integer medianWindow) {
        public static final int DEFAULT_BIT_DEPTH = 4;
        public static final int DEFAULT_MEDIAN_WINDOW = 2;
        public static final FeatureSqueezing DEFAULT = new FeatureSqueezing(null, null, null, null);

        public FeatureSqueezing {
            bitDepth = bitDepth == null ? DEFAULT_BIT_DEPTH : bitDepth;
            medianWindow = medianWindow == null ? DEFAULT_MEDIAN_WINDOW : medianWindow;
            require(threshold == null || threshold >= 0 && threshold <= 2, "detector.featureSqueezing.threshold must be in [0, 2], got "
                    + threshold);
            require(bitDepth >= 1 && bitDepth <= 8, "detector.featureSqueezing.bitDepth must be 1-8, got " + bitDepth);
            require(medianWindow >= 1 && medianWindow <= 10, "detector.featureSqueezing.medianWindow must be 1-10, got " + medianWindow);
        }
    }

    /** Blacklight's settings; the defaults kept clean false positives at 0.02-0.25 % on Fashion-MNIST (DESIGN §8). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QuerySimilarity(Integer matchThreshold, Integer windowSize, Integer quantization, Double targetFalsePositiveRate) {
        public static final int DEFAULT_MATCH_THRESHOLD = 20;
        public static final int DEFAULT_WINDOW_SIZE = io.robustml.oip.similarity.Fingerprints.DEFAULT_WINDOW_SIZE;

        /**
         * The window a tabular input of {@code columns} values gets when the spec sets none: a quarter of the
         * row (at least 2, at most the image default), so that a row has several windows and one changed
         * column breaks only the windows that hold it.
         */
        public static int tabularWindow(int columns) {
            return Math.max(2, Math.min(DEFAULT_WINDOW_SIZE, columns / 4));
        }
        public static final int DEFAULT_QUANTIZATION = io.robustml.oip.similarity.Fingerprints.DEFAULT_QUANTIZATION;
        public static final QuerySimilarity DEFAULT = new QuerySimilarity(null, null, null, null);

        public QuerySimilarity {
            matchThreshold = matchThreshold == null ? DEFAULT_MATCH_THRESHOLD : matchThreshold;
            windowSize = windowSize == null ? DEFAULT_WINDOW_SIZE : windowSize;
            quantization = quantization == null ? DEFAULT_QUANTIZATION : quantization;
            int top = io.robustml.oip.similarity.Fingerprints.TOP_HASHES;
            require(matchThreshold >= 1 && matchThreshold <= top, "detector.querySimilarity.matchThreshold must be 1-" + top + ", got "
                    + matchThreshold);
            require(windowSize >= 1, "detector.querySimilarity.windowSize must be >= 1, got " + windowSize);
            require(quantization >= 1 && quantization <= 255, "detector.querySimilarity.quantization must be 1-255, got " + quantization);
        }
    }

    /** PRADA's δ; DESIGN §8 measured 0.90-0.92 with no ordinary client flagged. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Extraction(Double delta) {
        public static final double DEFAULT_DELTA = 0.90;
        public static final Extraction DEFAULT = new Extraction(null);

        public Extraction {
            delta = delta == null ? DEFAULT_DELTA : delta;
            require(delta > 0 && delta < 1, "detector.extraction.delta must be in (0, 1), got " + delta);
        }
    }

    /** Per client: requests (rows) per minute, burst, rows per UTC day; 0 means none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RateLimit(Integer requestsPerMinute, Integer burst, Integer dailyQuota) {
        public RateLimit {
            requestsPerMinute = nonNegative(requestsPerMinute, "detector.rateLimit.requestsPerMinute");
            burst = nonNegative(burst, "detector.rateLimit.burst");
            dailyQuota = nonNegative(dailyQuota, "detector.rateLimit.dailyQuota");
        }
    }

    public enum Exposure {
        @JsonProperty("scores") SCORES,
        @JsonProperty("topK") TOP_K,
        @JsonProperty("label") LABEL
    }

    /** @param roundingDecimals null: scores are not rounded */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OutputHardening(Exposure exposure, Integer topK, Integer roundingDecimals) {
        public static final OutputHardening NONE = new OutputHardening(null, null, null);

        public OutputHardening {
            exposure = exposure == null ? Exposure.SCORES : exposure;
            topK = topK == null ? 0 : topK;
            require(exposure != Exposure.TOP_K || topK >= 1, "detector.outputHardening.exposure topK needs topK >= 1");
            require(roundingDecimals == null || roundingDecimals >= 0 && roundingDecimals <= 6,
                    "detector.outputHardening.roundingDecimals must be 0-6, got " + roundingDecimals);
        }
    }

    /** A client name ({@code apiKey}: the name in the clients file, never a raw key) or a network ({@code cidr}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BlockedClient(String apiKey, String cidr, String reason) {
        public BlockedClient {
            require((apiKey == null) != (cidr == null), "a detector.blockedClients entry needs exactly one of apiKey and cidr");
            require(apiKey == null || !apiKey.isBlank(), "detector.blockedClients apiKey must name a client");
            reason = reason == null ? "" : reason;
        }
    }

    /** @param retention how long records are kept: 90s, 30m or 720h */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ForensicLog(Boolean enabled, String retention) {
        public static final String DEFAULT_RETENTION = "720h";
        public static final ForensicLog DEFAULT = new ForensicLog(null, null);

        public ForensicLog {
            enabled = enabled == null || enabled;
            retention = retention == null ? DEFAULT_RETENTION : retention;
            require(retention.matches("[1-9][0-9]{0,5}[smh]"), "detector.forensicLog.retention must look like 90s, 30m or 720h, got '"
                    + retention + "'");
        }

        public long retentionSeconds() {
            long n = Long.parseLong(retention.substring(0, retention.length() - 1));
            return switch (retention.charAt(retention.length() - 1)) {
                case 's' -> n;
                case 'm' -> n * 60;
                default -> n * 3600;
            };
        }
    }

    public enum Anonymous {
        @JsonProperty("deny") DENY,
        @JsonProperty("sourceAddress") SOURCE_ADDRESS
    }

    /**
     * @param apiKeys        whether keys are checked against the mounted clients file
     * @param anonymous      what a request without a known key gets; deny by default with keys, else the source address
     * @param trustedProxies CIDRs of peers whose X-Forwarded-For is believed
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Authentication(Boolean apiKeys, Anonymous anonymous, List<String> trustedProxies) {
        public Authentication {
            apiKeys = apiKeys != null && apiKeys;
            anonymous = anonymous == null ? apiKeys ? Anonymous.DENY : Anonymous.SOURCE_ADDRESS : anonymous;
            trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
            require(apiKeys || anonymous != Anonymous.DENY,
                    "detector.authentication.anonymous deny needs apiKeys: true (it would deny everyone)");
        }
    }

    public enum StoreFailure {
        @JsonProperty("open") OPEN,
        @JsonProperty("closed") CLOSED
    }

    /** The shared store's failure mode (its address comes from the Secret, mounted as an environment variable). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SharedStore(StoreFailure onFailure) {
        public static final SharedStore DEFAULT = new SharedStore(null);

        public SharedStore {
            onFailure = onFailure == null ? StoreFailure.OPEN : onFailure;
        }
    }

    public enum FallbackType {
        @JsonProperty("abstain") ABSTAIN,
        @JsonProperty("service") SERVICE
    }

    /** {@code abstain} (200, no prediction) or {@code service}: another Open Inference Protocol service answers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Fallback(FallbackType type, Service service) {
        public static final int DEFAULT_PORT = 80;

        public Fallback {
            type = type == null ? FallbackType.ABSTAIN : type;
            require(type != FallbackType.SERVICE || service != null && service.name() != null,
                    "detector.fallback type service needs fallback.service.name");
        }

        public boolean abstains() {
            return type == FallbackType.ABSTAIN;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Service(String name, Integer port) {
        public Service {
            port = port == null ? Fallback.DEFAULT_PORT : port;
        }
    }

    /**
     * Reads detector.json; anything malformed or invalid is an IllegalArgumentException that names the
     * field's path and what it must be (the sidecar stays not ready and says so).
     */
    public static DetectorConfig read(ObjectMapper json, byte[] content) {
        try {
            // The syntax first: a truncated file is "not valid JSON" whatever its first fields say.
            com.fasterxml.jackson.databind.JsonNode tree = json.readTree(content);
            if (tree == null || tree.isMissingNode()) {
                throw new IllegalArgumentException("the detector config is empty");
            }
            DetectorConfig config = json.readerFor(DetectorConfig.class)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.ACCEPT_FLOAT_AS_INT).readValue(tree);
            if (config == null) {
                throw new IllegalArgumentException("the detector config must be a JSON object, got null");
            }
            return config;
        } catch (ValueInstantiationException e) { // a check of the records above: its message names the field
            throw new IllegalArgumentException(e.getCause() != null ? e.getCause().getMessage() : e.getOriginalMessage());
        } catch (InvalidFormatException e) {
            throw new IllegalArgumentException(path(e) + ": '" + e.getValue() + "' is not " + expected(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String path = path(e);
            throw new IllegalArgumentException(path.isEmpty() ? "the detector config must be a JSON object"
                    : path + " must be " + expected(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the detector config is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the detector config cannot be read: " + e.getMessage());
        }
    }

    /** detector.rateLimit.burst, detector.methods[0]. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "valid";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(c -> {
                try {
                    return type.getField(((Enum<?>) c).name()).getAnnotation(JsonProperty.class).value();
                } catch (NoSuchFieldException | NullPointerException e) {
                    return ((Enum<?>) c).name();
                }
            }).toList();
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type == String.class) {
            return "a string";
        }
        return "an object";
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static Integer nonNegative(Integer value, String path) {
        require(value == null || value >= 0, path + " must be a non-negative integer, got " + value);
        return value == null ? 0 : value;
    }
}
