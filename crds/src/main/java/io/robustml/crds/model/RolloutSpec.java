package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.robustml.crds.Decimals;

/** How a new revision is rolled out and judged. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
    @JsonPropertyDescription("Size of the canary: replicas or weight (Gateway API HTTPRoute weight); clients reach it "
            + "before its verdict only with exposeDuringAnalysis.")
    public CanarySpec canary;

    /** The defaults, declared once: the CRD's schema and the operator's reading of an object without them. */
    public static final String DEFAULT_AUTO_ROLLBACK = "true";
    public static final String DEFAULT_PROGRESS_DEADLINE_SECONDS = "600";
    public static final String DEFAULT_ROLLBACK_WINDOW = "168h";

    @JsonPropertyDescription("The adversarial analysis run against every canary.")
    @io.fabric8.generator.annotation.Required
    public AnalysisSpec analysis;

    @Default(DEFAULT_AUTO_ROLLBACK)
    @JsonPropertyDescription("Roll back automatically when the analysis fails (the spec is never edited).")
    public Boolean autoRollback;

    @Min(1)
    @Max(86400)
    @Default(DEFAULT_PROGRESS_DEADLINE_SECONDS)
    @JsonPropertyDescription("A canary (or first release) whose pods are not all Ready this many seconds after its "
            + "attempt began is inconclusive: retried as analysis.retries says, then rolled back (each step evented), "
            + "like a Deployment's progressDeadlineSeconds. Counts also while its GPUs are awaited (capacityPolicy wait).")
    public Integer progressDeadlineSeconds;

    @JsonPropertyDescription("Analyse the stable revision again without a rollout (continuous red-teaming).")
    public RescanSpec rescan;

    @JsonPropertyDescription("After promotion: the operator reads the serving revision's sidecar counters and acts when "
            + "their alert rate (flagged, blocked, fallback, rate-limited and over-quota requests over all client requests) "
            + "burns faster than the revision's baseline (multi-window burn-rate rule).")
    public GuardSpec guard;

    @Pattern(Decimals.DURATION)
    @Default(DEFAULT_ROLLBACK_WINDOW)
    @JsonPropertyDescription("A revision that passed its analysis within this window is promoted again without a new "
            + "analysis when the spec returns to it (fast rollback of a Git revert).")
    public String rollbackWindow;

    /** When the stable revision is analysed again, without a rollout. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RescanSpec {
        @Default("false")
        @JsonPropertyDescription("When the test suite changes (threat model, dataset or samples: an attack added, a "
                + "budget raised), analyse the stable revision with the new suite: a run and Job like a canary's, judged "
                + "by the same SLOs. Passed is recorded; Failed sets Degraded=True (reason RescanFailed) and a Warning "
                + "event while stable keeps serving. Each (revision, suite) is analysed once.")
        public Boolean onSuiteChange;

        @Pattern(io.robustml.crds.Cron.PATTERN)
        @JsonPropertyDescription("Also analyse the stable revision on this schedule, in a CronJob's syntax (\"0 3 * * *\", "
                + "\"@daily\"; UTC), with the current suite: attacks are stochastic and a new weakness may show with the same "
                + "suite. A re-scan is due at the first scheduled time after the stable revision was last judged (its "
                + "promotion or its last re-scan); missed times while a canary is analysed or the operator is down give "
                + "one re-scan, not one each. Judged and recorded as onSuiteChange's.")
        public String schedule;

        @Default("alert")
        @JsonPropertyDescription("What a failed re-scan does besides Degraded=True (RescanFailed), its Warning event and the "
                + "chart's alert: alert (nothing more) or contain (every sidecar's detector action becomes block — flagged "
                + "inputs answered 403 — through the hot-reloaded config, no new revision, until a re-scan of the serving "
                + "revision passes or another revision is promoted).")
        public OnFailure onFailure;
    }

    /**
     * The post-promotion guard: a multi-window burn-rate rule on the serving revision's sidecar counters. The
     * defaults are the multi-window, multi-burn-rate practice's paging pairs (SRE workbook): 14.4x over 1h
     * confirmed over 5m, 6x over 6h confirmed over 30m.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class GuardSpec {
        public static final String DEFAULT_ACTION = "alert";
        public static final String DEFAULT_MIN_REQUESTS = "100";
        /** Used when the analysis measured no clean flag rate and the spec sets none: the chart's detectorFlagBudget. */
        public static final double DEFAULT_BASELINE_RATE = 0.01;
        /** A measured clean flag rate of 0 would make any flag an infinite burn. */
        public static final double MIN_BASELINE_RATE = 0.001;
        public static final java.util.List<BurnWindow> DEFAULT_WINDOWS = java.util.List.of(
                BurnWindow.of("1h", "5m", "14.4"), BurnWindow.of("6h", "30m", "6"));

        @Default(DEFAULT_ACTION)
        @JsonPropertyDescription("What a burning window pair does: alert (Degraded=True GuardBurning and a Warning event "
                + "with the rates), contain (also: every sidecar's detector action becomes block through the hot-reloaded "
                + "config, no new revision, until the rates fall back), or rollback (contain, then scale the previous "
                + "stable revision, kept with 0 pods, back up and serve it once Ready: the fast re-promotion path, so it "
                + "must have passed with the current suite within rollbackWindow; the serving revision is rejected). "
                + "Every action is evented with the numbers.")
        public GuardAction action;

        @Size(min = 1, max = 4)
        @JsonPropertyDescription("Window pairs, each firing when the alert rate over both its long and its short window "
                + "exceeds factor times the baseline. Default: [{long: 1h, short: 5m, factor: \"14.4\"}, "
                + "{long: 6h, short: 30m, factor: \"6\"}].")
        @ValidationRule(value = "self.all(w, duration(w.short) < duration(w.long))",
                message = "each window's short must be shorter than its long")
        public java.util.List<BurnWindow> windows;

        @Pattern(Decimals.FRACTION)
        @JsonPropertyDescription("The revision's normal alert rate (decimal string). Default: the clean false-positive rate "
                + "its analysis measured through the sidecar (at least 0.001), else 0.01.")
        public String baselineRate;

        @Min(1)
        @Max(1000000)
        @Default(DEFAULT_MIN_REQUESTS)
        @JsonPropertyDescription("Client requests a short window must hold before its pair may fire: a handful of flagged "
                + "requests in a quiet minute is no evidence.")
        public Integer minRequests;
    }

    /** One pair of the burn-rate rule. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("One window pair of the guard's burn-rate rule: a long window, a "
            + "short one confirming it, and the factor both must exceed.")
    @ValidationRule(value = "double(self.factor) >= 1.0", message = "factor must be at least 1", fieldPath = ".factor")
    public static class BurnWindow {
        @Required
        @Pattern(Decimals.DURATION)
        @JsonProperty("long")
        @JsonPropertyDescription("The long window, e.g. 1h: the rate must have burned this long.")
        public String longWindow;

        @Required
        @Pattern(Decimals.DURATION)
        @JsonProperty("short")
        @JsonPropertyDescription("The short window, e.g. 5m: the rate still burns now (so the pair resets soon after an "
                + "attack ends).")
        public String shortWindow;

        @Required
        @Pattern(Decimals.NON_NEGATIVE)
        @JsonPropertyDescription("Burn-rate factor (decimal string, at least 1): the pair fires above factor x baseline.")
        public String factor;

        public static BurnWindow of(String longWindow, String shortWindow, String factor) {
            BurnWindow w = new BurnWindow();
            w.longWindow = longWindow;
            w.shortWindow = shortWindow;
            w.factor = factor;
            return w;
        }
    }

    /** What the guard does when a window pair burns. */
    public enum GuardAction {
        @com.fasterxml.jackson.annotation.JsonProperty("alert") ALERT,
        @com.fasterxml.jackson.annotation.JsonProperty("contain") CONTAIN,
        @com.fasterxml.jackson.annotation.JsonProperty("rollback") ROLLBACK
    }

    /** What a failed re-scan does. */
    public enum OnFailure {
        @com.fasterxml.jackson.annotation.JsonProperty("alert") ALERT,
        @com.fasterxml.jackson.annotation.JsonProperty("contain") CONTAIN
    }

    /** Canary size: exactly one of replicas and weight. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.replicas) != has(self.weight)", message = "set exactly one of replicas and weight")
    @ValidationRule(value = "has(self.weight) == has(self.gateway)",
            message = "weight needs gateway (the Gateway its HTTPRoute attaches to), and gateway is used only with weight")
    public static class CanarySpec {
        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Canary pods. Clients reach them only after the canary has Passed, unless "
                + "exposeDuringAnalysis: then traffic splits by replica ratio through the model's Service.")
        public Integer replicas;

        @Min(1)
        @Max(99)
        @JsonPropertyDescription("Percent of traffic to the canary through a Gateway API HTTPRoute named after the "
                + "model, once its pods are Ready and only with exposeDuringAnalysis (else 0 until it has Passed); the "
                + "model's Service selects stable only.")
        public Integer weight;

        @io.fabric8.generator.annotation.Default("false")
        @JsonPropertyDescription("Let clients reach the canary while it is analysed (its replica share, or its weight): "
                + "real traffic on an unjudged revision, as in a classic canary. Off: no client reaches a revision "
                + "before it has Passed; the analysis reaches the canary through the canary's own Service.")
        public Boolean exposeDuringAnalysis;

        @JsonPropertyDescription("The Gateway the operator's HTTPRoute attaches to (its parentRef); required with weight.")
        public GatewayRef gateway;

        @JsonPropertyDescription("When the canary's GPUs do not fit in the free capacity of the eligible nodes: wait "
                + "(default) keeps the canary from starting and reports InsufficientGPU with the numbers; reuseStable "
                + "takes the canary's replicas out of the stable Deployment for the analysis and gives them back on "
                + "rollback.")
        public CapacityPolicy capacityPolicy;
    }

    /** What a canary that does not fit does. */
    public enum CapacityPolicy {
        @com.fasterxml.jackson.annotation.JsonProperty("wait") WAIT,
        @com.fasterxml.jackson.annotation.JsonProperty("reuseStable") REUSE_STABLE
    }

    /** A Gateway API parent reference, and the hostnames the route answers for. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class GatewayRef {
        @Required
        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Name of the Gateway.")
        public String name;

        @Size(min = 1, max = 63)
        @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        @JsonPropertyDescription("Namespace of the Gateway; the model's namespace when omitted (the Gateway's "
                + "allowedRoutes must then admit routes from the model's namespace).")
        public String namespace;

        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Listener of the Gateway to attach to (all listeners when omitted).")
        public String sectionName;

        @Size(max = 16)
        @JsonPropertyDescription("Hostnames the route answers for (all the listener's when omitted); the Gateway "
                + "API's own schema validates them when the operator applies the route.")
        public java.util.List<String> hostnames;
    }

    /** The analysis Job. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "!(self.dataset.startsWith('s3://') || self.dataset.startsWith('https://')) || "
            + "(self.dataset.matches('[.](npz|csv|parquet)$') && has(self.datasetChecksums) && size(self.datasetChecksums) == 1 "
            + "&& self.dataset.endsWith('/' + self.datasetChecksums[0].file))",
            message = "a dataset in s3:// or https:// is one .npz, .csv or .parquet file, pinned: list its file name (and only it) "
                    + "in datasetChecksums with its sha256", fieldPath = ".datasetChecksums")
    public static class AnalysisSpec {
        public static final String DEFAULT_SAMPLES = "500";
        public static final String DEFAULT_LABEL_COLUMN = "label";
        public static final String DEFAULT_TIMEOUT_SECONDS = "900";
        public static final String DEFAULT_RETRIES = "1";
        @Required
        @Size(max = 2048)
        @Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/.+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+|https://[^\\s/?#]+/[^?#]+|file:///.+)$")
        @JsonPropertyDescription("Evaluation dataset: idx files as in Fashion-MNIST (a directory or one images file), a "
                + "NumPy .npz with x and y (or x_test/y_test, x_train/y_train as the attacker's pool; NCHW or NHWC, uint8 pixels "
                + "mapped onto model.input.range, floats as they are; [N, n] rows for a tabular model), an image folder (one "
                + "sub-folder per class, sorted names = class indices; PNG or JPEG of the model's size; optionally test/ and "
                + "train/), or a CSV file with a header row or a Parquet file (.parquet) (tabular models: the label in labelColumn, "
                + "the other columns by model.input.features' names; rows beyond the evaluated ones are the attacker's pool). pvc://<claim>/<path> (mounted "
                + "read-only into the tester), s3://<bucket>/<key> or https://<host>/<path> (one .npz, .csv or .parquet file, pinned "
                + "by datasetChecksums, fetched by the tester with model.credentials and verified before it is read), or file:// (in "
                + "the tester's image, or on the node in local runs).")
        public String dataset;

        @Pattern("^[^,\"\\r\\n]{1,128}$")
        @Default(DEFAULT_LABEL_COLUMN)
        @JsonPropertyDescription("A CSV or Parquet dataset's label column: a class index, or a name from model.labels.")
        public String labelColumn;

        @Min(10)
        @Max(100000)
        @Default(DEFAULT_SAMPLES)
        @JsonPropertyDescription("Test examples drawn from the dataset (stratified by class).")
        public Integer samples;

        @Min(60)
        @Max(86400)
        @Default(DEFAULT_TIMEOUT_SECONDS)
        @JsonPropertyDescription("Seconds before a running analysis is Inconclusive.")
        public Integer timeoutSeconds;

        @Min(0)
        @Max(10)
        @Default(DEFAULT_RETRIES)
        @JsonPropertyDescription("Retries of an Inconclusive analysis before rolling back.")
        public Integer retries;

        @JsonPropertyDescription("CPU and memory of the tester Job.")
        public ResourceRequirements resources;

        @JsonPropertyDescription("GPUs for the tester Job (white-box attacks run faster on a GPU).")
        public GpuSpec gpu;

        @JsonPropertyDescription("How many finished AdversarialTestRuns (and their Jobs) are kept, and for how long. The open "
                + "runs and the run that promoted the serving revision are always kept.")
        public RetentionSpec retention;

        @Size(max = 8)
        @ValidationRule(value = "self.all(x, self.exists_one(y, y.file == x.file))",
                message = "each file is listed once")
        @JsonPropertyDescription("SHA-256 of the dataset's files: when set, the tester refuses to run unless every file it "
                + "reads is listed here and matches (and every listed file exists), so a swapped or corrupted evaluation "
                + "set cannot pass a model. With an idx directory: the t10k-* images and labels, and the train-* pair "
                + "when an extraction or knockoff-transfer attack draws its pool from it; with a .npz: the archive. An image "
                + "folder cannot be pinned here (its files are many and in sub-folders): pack it as a .npz to pin it.")
        public java.util.List<DatasetChecksum> datasetChecksums;
    }

    /** One dataset file and its digest. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonClassDescription("One file of the evaluation dataset and its SHA-256.")
    public static class DatasetChecksum {
        @Required
        @Size(min = 1, max = 255)
        @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]*$")
        @JsonPropertyDescription("File name inside the dataset directory (or the dataset file's own name), e.g. "
                + "t10k-images-idx3-ubyte.gz.")
        public String file;

        @Required
        @Pattern("^[a-f0-9]{64}$")
        @JsonPropertyDescription("Lower-case hex SHA-256 of the file, as sha256sum prints it.")
        public String sha256;
    }

    /** Retention of finished analysis runs. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RetentionSpec {
        public static final String DEFAULT_RUNS = "20";
        public static final String DEFAULT_MAX_AGE = "720h";
        @Min(1)
        @Max(1000)
        @Default(DEFAULT_RUNS)
        @JsonPropertyDescription("Finished runs kept per model, newest first (default 20).")
        public Integer runs;

        @Pattern(io.robustml.crds.Decimals.DURATION)
        @Default(DEFAULT_MAX_AGE)
        @JsonPropertyDescription("Finished runs older than this are deleted (default 720h = 30 days).")
        public String maxAge;
    }
}
