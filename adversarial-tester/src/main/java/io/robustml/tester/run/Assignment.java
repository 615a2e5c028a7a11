package io.robustml.tester.run;

import io.robustml.crds.model.DetectorSpec;
import io.robustml.crds.model.ThreatModelSpec;
import io.robustml.crds.run.AdversarialTestRunSpec;
import io.robustml.oip.similarity.Fingerprints;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What to test, read from an AdversarialTestRun's spec and checked before any work starts.
 *
 * @param exposure what the endpoint shows of its output: scores, topK or label
 * @param topK     classes shown under topK
 * @param labels   class names in output order; empty when the run has none (classes are then indices)
 * @param corpus   the regression corpus to replay; null when none
 * @param datasetChecksums file name → SHA-256 of the dataset files (empty: not checked)
 * @param surrogate the reference surrogate model file of transfer attacks; null when the run names none
 * @param certification randomized smoothing's parameters; null when the run asks for no certification
 * @param inputRange the valid input values (model.input.range, default [0, 1]): every attack stays inside
 * @param features  a tabular input's columns (model.input.features); null for images
 * @param labelColumn a CSV dataset's label column
 * @param normalization the per-channel normalisation the model takes (model.input.normalization); null when it takes
 *                      pixels. Data, attacks and ε stay in pixels; what reaches the model is normalised.
 * @param channelsLast  model.input.layout NHWC: the model takes [H, W, C]; data and attacks stay [C, H, W]
 */
public record Assignment(String model, String revision, String endpoint, String modelUri, String modelSha256,
        boolean targeted, List<AttackPlan> attacks, String datasetUri, int samples, Squeezing squeezing, String exposure,
        int topK, List<String> labels, CorpusRef corpus, java.util.Map<String, String> datasetChecksums, ModelRef surrogate, Similarity similarity,
        io.robustml.tester.certify.Smoothing certification, InputRange inputRange, io.robustml.tester.attack.FeatureRules features,
        String labelColumn, io.robustml.oip.detector.DetectorConfig.Normalization normalization, boolean channelsLast) {

    /** The example shape the data and the attacks use: the model's own, or [C, H, W] for a channels-last model. */
    public long[] attackShape(long[] modelShape) {
        return channelsLast ? io.robustml.tester.attack.ChannelsLast.channelsFirst(modelShape) : modelShape;
    }

    /** How a CSV dataset's columns are read. */
    public EvaluationData.Columns columns() {
        return new EvaluationData.Columns(labelColumn, features == null ? List.of() : features.names(), labels);
    }

    /** What runs on a tabular input: not Square (its windows need an image), nor transfer (not measured on rows yet). */
    static final Set<io.robustml.crds.model.AttackSpec.AttackType> TABULAR_ATTACKS = Set.of(io.robustml.crds.model.AttackSpec.AttackType.FGSM,
            io.robustml.crds.model.AttackSpec.AttackType.PGD, io.robustml.crds.model.AttackSpec.AttackType.HOPSKIPJUMP,
            io.robustml.crds.model.AttackSpec.AttackType.NOISE, io.robustml.crds.model.AttackSpec.AttackType.EXTRACTION);

    /** model.input.range. */
    public record InputRange(float min, float max) {
        public static final InputRange UNIT = new InputRange(0f, 1f);

        public InputRange {
            if (!(min < max)) {
                throw new IllegalArgumentException("model.input.range: min " + min + " must be below max " + max);
            }
        }

        static InputRange of(io.robustml.crds.model.ModelSpec.InputSpec input) {
            var r = input == null ? null : input.range;
            return r == null ? UNIT : new InputRange(r.min == null ? 0f : new BigDecimal(r.min).floatValue(),
                    r.max == null ? 1f : new BigDecimal(r.max).floatValue());
        }
    }

    /**
     * The sidecar's feature squeezers (its settings, else its defaults), and the false-positive rate its
     * threshold is calibrated to (null when the threshold is fixed or the detector is off).
     */
    public record Squeezing(int bitDepth, int medianWindow, Double targetFalsePositiveRate) {
        public Squeezing(int bitDepth, int medianWindow) {
            this(bitDepth, medianWindow, null);
        }

        static Squeezing of(DetectorSpec detector) {
            var s = detector == null ? null : detector.featureSqueezing;
            return new Squeezing(s == null || s.bitDepth == null ? 4 : s.bitDepth, s == null || s.medianWindow == null ? 2 : s.medianWindow,
                    calibrationTarget(detector, io.robustml.oip.detector.DetectorConfig.Method.FEATURE_SQUEEZING, s == null ? null : s.targetFalsePositiveRate));
        }
    }

    /** The sidecar's query-similarity hashing, and the false-positive rate to calibrate its match threshold to (or null). */
    public record Similarity(int windowSize, int quantization, Double targetFalsePositiveRate) {
        static Similarity of(DetectorSpec detector, int columns) {
            var s = detector == null ? null : detector.querySimilarity;
            int window = columns > 0 ? io.robustml.oip.detector.DetectorConfig.QuerySimilarity.tabularWindow(columns)
                    : Fingerprints.DEFAULT_WINDOW_SIZE;
            return new Similarity(s == null || s.windowSize == null ? window : s.windowSize,
                    s == null || s.quantization == null ? Fingerprints.DEFAULT_QUANTIZATION : s.quantization,
                    calibrationTarget(detector, io.robustml.oip.detector.DetectorConfig.Method.QUERY_SIMILARITY, s == null ? null : s.targetFalsePositiveRate));
        }
    }

    /** The false-positive rate to calibrate {@code method} to: null unless the method is on (the CRD default: all) and a rate is set. */
    private static Double calibrationTarget(DetectorSpec detector, io.robustml.oip.detector.DetectorConfig.Method method, String rate) {
        boolean on = detector != null && (detector.methods == null || detector.methods.contains(method));
        return on && rate != null ? new BigDecimal(rate).doubleValue() : null;
    }

    /** A model file and the digest it must have. */
    public record ModelRef(String uri, String sha256) {
    }

    /** spec.corpus: where the corpus is and the digest it must have. */
    public record CorpusRef(String uri, String sha256) {
    }

    public static final int DEFAULT_SAMPLES = 1000;

    /** Whether the tester needs the model file: white-box attacks or certification. */
    public boolean needsModelFile() {
        return certification != null || attacks.stream().anyMatch(AttackPlan::whiteBox);
    }

    /** The same assignment with other columns (model.input.features). */
    public Assignment withFeatures(List<io.robustml.crds.model.ModelSpec.FeatureSpec> columns) {
        return new Assignment(model, revision, endpoint, modelUri, modelSha256, targeted, attacks, datasetUri, samples, squeezing,
                exposure, topK, labels, corpus, datasetChecksums, surrogate, similarity, certification, inputRange,
                io.robustml.tester.attack.FeatureRules.of(columns), labelColumn, normalization, channelsLast);
    }

    /** The same assignment with another dataset. */
    public Assignment withDataset(String uri) {
        return new Assignment(model, revision, endpoint, modelUri, modelSha256, targeted, attacks, uri, samples, squeezing,
                exposure, topK, labels, corpus, datasetChecksums, surrogate, similarity, certification, inputRange, features, labelColumn,
                normalization, channelsLast);
    }

    /** The same assignment reading its files elsewhere (their verified local copies, see RemoteFiles). */
    public Assignment withFiles(String modelUri, String datasetUri, CorpusRef corpus, ModelRef surrogate) {
        return new Assignment(model, revision, endpoint, modelUri, modelSha256, targeted, attacks, datasetUri, samples, squeezing,
                exposure, topK, labels, corpus, datasetChecksums, surrogate, similarity, certification, inputRange, features, labelColumn,
                normalization, channelsLast);
    }

    /** The same assignment, reaching the target at another URL (a tester run outside the cluster). */
    public Assignment withEndpoint(String url) {
        return new Assignment(model, revision, url, modelUri, modelSha256, targeted, attacks, datasetUri, samples, squeezing,
                exposure, topK, labels, corpus, datasetChecksums, surrogate, similarity, certification, inputRange, features, labelColumn,
                normalization, channelsLast);
    }

    public static Assignment of(AdversarialTestRunSpec spec) {
        if (spec == null || spec.target == null || spec.dataset == null || spec.attacks == null || spec.attacks.isEmpty()) {
            throw new IllegalArgumentException("the run's spec needs target, dataset and at least one attack");
        }
        List<AttackPlan> plans = spec.attacks.stream().map(AttackPlan::of).toList();
        Set<String> names = new HashSet<>();
        for (AttackPlan p : plans) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("the attack " + p.name() + " is listed twice");
            }
        }
        if (spec.certification != null && spec.target.modelUri == null) {
            throw new IllegalArgumentException("certification samples the model file: the run needs spec.target.modelUri");
        }
        if (plans.stream().anyMatch(AttackPlan::whiteBox) && spec.target.modelUri == null) {
            throw new IllegalArgumentException("fgsm and pgd are white-box attacks: the run needs spec.target.modelUri, "
                    + "a model file the tester can read");
        }
        List<String> labels = spec.labels == null ? List.of() : List.copyOf(spec.labels);
        for (AttackPlan p : plans) {
            TargetClasses.check(p.targetClass(), labels);
        }
        var hardening = spec.detector == null ? null : spec.detector.outputHardening;
        String exposure = hardening == null || hardening.exposure == null ? "scores" : switch (hardening.exposure) {
            case SCORES -> "scores";
            case TOP_K -> "topK";
            case LABEL -> "label";
        };
        int topK = hardening == null || hardening.topK == null ? 0 : hardening.topK;
        CorpusRef corpus = spec.corpus == null ? null : new CorpusRef(spec.corpus.uri, spec.corpus.sha256);
        java.util.Map<String, String> checksums = new java.util.LinkedHashMap<>();
        if (spec.dataset.checksums != null) {
            for (var c : spec.dataset.checksums) {
                if (c.file == null || c.sha256 == null || checksums.put(c.file, c.sha256) != null) {
                    throw new IllegalArgumentException("spec.dataset.checksums: each entry needs file and sha256, each file once");
                }
            }
        }
        ModelRef surrogate = spec.surrogateModel == null ? null : new ModelRef(spec.surrogateModel.uri, spec.surrogateModel.sha256);
        io.robustml.tester.attack.FeatureRules features = spec.input == null || spec.input.features == null ? null
                : io.robustml.tester.attack.FeatureRules.of(spec.input.features);
        if (features != null) {
            for (AttackPlan p : plans) {
                if (!TABULAR_ATTACKS.contains(p.type()) || p.adaptive()) {
                    throw new IllegalArgumentException("the attack " + p.name() + " needs an image input; a tabular input "
                            + "(model.input.features) takes fgsm, pgd, hopskipjump, noise and extraction");
                }
            }
            if (spec.certification != null) {
                throw new IllegalArgumentException("certification adds Gaussian noise to images; a tabular input (model.input.features) "
                        + "is not certified");
            }
        }
        if (spec.input != null && (spec.input.normalization != null || spec.input.layout == io.robustml.crds.model.ModelSpec.Layout.NHWC)
                && plans.stream().anyMatch(AttackPlan::adaptive)) {
            throw new IllegalArgumentException("adaptive PGD differentiates the sidecar's squeezers on pixels the model takes "
                    + "itself, channels first; a model that takes normalised inputs (model.input.normalization) or channels "
                    + "last (model.input.layout NHWC) is not attacked adaptively yet");
        }
        return new Assignment(spec.target.model, spec.target.revision, spec.target.endpoint, spec.target.modelUri,
                spec.target.modelSha256, spec.goal == ThreatModelSpec.Goal.TARGETED, plans, spec.dataset.uri,
                spec.dataset.samples == null ? DEFAULT_SAMPLES : spec.dataset.samples, Squeezing.of(spec.detector), exposure, topK,
                labels, corpus, java.util.Collections.unmodifiableMap(checksums), surrogate, Similarity.of(spec.detector, features == null ? 0 : features.size()),
                io.robustml.tester.certify.Smoothing.of(spec.certification), InputRange.of(spec.input), features,
                spec.dataset.labelColumn == null ? io.robustml.crds.model.RolloutSpec.AnalysisSpec.DEFAULT_LABEL_COLUMN
                        : spec.dataset.labelColumn, normalization(spec.input),
                spec.input != null && spec.input.layout == io.robustml.crds.model.ModelSpec.Layout.NHWC);
    }

    /** model.input.normalization, or null. */
    static io.robustml.oip.detector.DetectorConfig.Normalization normalization(io.robustml.crds.model.ModelSpec.InputSpec input) {
        if (input == null || input.normalization == null) {
            return null;
        }
        return new io.robustml.oip.detector.DetectorConfig.Normalization(
                input.normalization.mean.stream().map(v -> new BigDecimal(v).doubleValue()).toList(),
                input.normalization.std.stream().map(v -> new BigDecimal(v).doubleValue()).toList());
    }
}
