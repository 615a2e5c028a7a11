package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.robustml.crds.Decimals;
import io.robustml.oip.detector.DetectorConfig.Action;
import io.robustml.oip.detector.DetectorConfig.Anonymous;
import io.robustml.oip.detector.DetectorConfig.Exposure;
import io.robustml.oip.detector.DetectorConfig.FallbackType;
import io.robustml.oip.detector.DetectorConfig.Method;
import io.robustml.oip.detector.DetectorConfig.StoreFailure;
import java.util.List;

/**
 * The detector sidecar. {@code methods} are compiled into the pods (a change is a new revision); every
 * other field is a runtime setting the sidecars reload within seconds, without a rollout. Its enumerations
 * are detector.json's own ({@link io.robustml.oip.detector.DetectorConfig}): one spelling for the API and the file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.action) || self.action != 'fallback' || has(self.fallback)",
        message = "action fallback needs a fallback target", fieldPath = ".fallback")
@ValidationRule(value = "!has(self.featureSqueezing) || (has(self.methods) && self.methods.exists(m, m == 'featureSqueezing'))",
        message = "featureSqueezing settings given but the method is not enabled in methods", fieldPath = ".featureSqueezing")
@ValidationRule(value = "!has(self.querySimilarity) || (has(self.methods) && self.methods.exists(m, m == 'querySimilarity'))",
        message = "querySimilarity settings given but the method is not enabled in methods", fieldPath = ".querySimilarity")
@ValidationRule(value = "!has(self.extraction) || (has(self.methods) && self.methods.exists(m, m == 'extraction'))",
        message = "extraction settings given but the method is not enabled in methods", fieldPath = ".extraction")
public class DetectorSpec {
    @Default("[\"featureSqueezing\", \"querySimilarity\"]")
    @Size(max = 3)
    @ValidationRule(value = "self.all(m, self.exists_one(n, n == m))", message = "each method is listed once")
    @JsonPropertyDescription("Detectors to run: featureSqueezing (per-input, images only, Xu et al. 2018), querySimilarity "
            + "(account-agnostic query-sequence detection, Blacklight-style) and extraction (PRADA-style model-stealing detection).")
    public List<Method> methods;

    @Default("flag")
    @JsonPropertyDescription("What to do with a flagged request: flag (serve it, count and log it), block (answer 403) "
            + "or fallback (answer from the fallback target).")
    public Action action;

    @JsonPropertyDescription("Where flagged requests go when action is fallback.")
    public FallbackSpec fallback;

    @JsonPropertyDescription("Feature-squeezing threshold: set threshold, or targetFalsePositiveRate to calibrate it on clean data.")
    public FeatureSqueezingSpec featureSqueezing;

    @JsonPropertyDescription("Query-similarity detector settings.")
    public QuerySimilaritySpec querySimilarity;

    @JsonPropertyDescription("Extraction (PRADA) detector settings.")
    public ExtractionSpec extraction;

    @JsonPropertyDescription("Requests per minute per client identity (token bucket).")
    public RateLimitSpec rateLimit;

    @JsonPropertyDescription("How much of the model's output clients see: less output makes score-based attacks and extraction harder.")
    public OutputHardeningSpec outputHardening;

    @Size(max = 1000)
    @JsonPropertyDescription("Clients whose requests are refused at once with 403 (containment during an attack).")
    public List<BlockedClient> blockedClients;

    @JsonPropertyDescription("Forensic log of flagged inputs.")
    public ForensicLogSpec forensicLog;

    @JsonPropertyDescription("Who the client is, for rate limits, quotas and blocking: API keys checked against a Secret "
            + "(stored hashed), and which proxies may set X-Forwarded-For. Without it the client is its source address "
            + "and the X-API-Key header is not trusted.")
    public AuthenticationSpec authentication;

    @JsonPropertyDescription("A Redis that every replica of this model shares for query-similarity fingerprints, rate "
            + "limits and quotas. Without it each replica keeps its own (an attacker spread over replicas is seen in parts).")
    public SharedStoreSpec sharedStore;

    /** The safe answer for flagged requests. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.type != 'service' || has(self.service)", message = "type service needs service",
            fieldPath = ".service")
    public static class FallbackSpec {
        @Required
        @JsonPropertyDescription("service (forward to another Open Inference Protocol service, e.g. a conservative model) "
                + "or abstain (answer 200 with no prediction and parameters.abstained=true).")
        public FallbackType type;

        @JsonPropertyDescription("The fallback Service in this namespace.")
        public ServiceRef service;
    }

    /** A Service and port in the same namespace. */
    public static class ServiceRef {
        @Required
        @Size(max = 63)
        @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
        @JsonPropertyDescription("Service name.")
        public String name;

        @Min(1)
        @Max(65535)
        @Default("80")
        @JsonPropertyDescription("Service port.")
        public Integer port;
    }

    /** Feature squeezing threshold, fixed or calibrated. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.threshold) != has(self.targetFalsePositiveRate)",
            message = "set exactly one of threshold and targetFalsePositiveRate")
    public static class FeatureSqueezingSpec {
        @Pattern(Decimals.NON_NEGATIVE)
        @JsonPropertyDescription("Flag when the L1 distance between softmax outputs exceeds this (decimal string, 0–2).")
        @ValidationRule(value = "double(self) <= 2.0", message = "the L1 distance of two probability vectors is at most 2")
        public String threshold;

        @Pattern(Decimals.FRACTION)
        @JsonPropertyDescription("Calibrate the threshold to flag this fraction of clean inputs, e.g. \"0.05\".")
        public String targetFalsePositiveRate;

        @Min(1)
        @Max(8)
        @JsonPropertyDescription("Bit depth of the bit-depth-reduction squeezer (default 4).")
        public Integer bitDepth;

        @Min(2)
        @Max(5)
        @JsonPropertyDescription("Window of the median-smoothing squeezer in pixels (default 2).")
        public Integer medianWindow;
    }

    /** Query similarity (Blacklight-style) settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "!(has(self.matchThreshold) && has(self.targetFalsePositiveRate))",
            message = "set at most one of matchThreshold and targetFalsePositiveRate")
    public static class QuerySimilaritySpec {
        @Min(1)
        @Max(50)
        @JsonPropertyDescription("Matching hashes with an earlier query that flag a query (default 20).")
        public Integer matchThreshold;

        @Min(5)
        @Max(100)
        @JsonPropertyDescription("Pixels per hashed window (default 25).")
        public Integer windowSize;

        @Min(2)
        @Max(128)
        @JsonPropertyDescription("Quantization step on the 0–255 scale (default 25).")
        public Integer quantization;

        @Pattern(Decimals.FRACTION)
        @JsonPropertyDescription("Calibrate matchThreshold in every analysis to flag at most this fraction of clean queries "
                + "(the evaluation images sent one after another, each compared with all earlier ones), e.g. \"0.01\"; the "
                + "default 20 holds until a calibration is in force (status.detector).")
        public String targetFalsePositiveRate;
    }

    /** PRADA (Juuti et al. 2019). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ExtractionSpec {
        @Pattern("^0\\.[0-9]{1,6}$")
        @JsonPropertyDescription("Flag a client when the Shapiro-Wilk W of its queries' minimum distances falls below this, "
                + "a decimal string in (0, 1) (default \"0.90\": no ordinary client was flagged at 0.90-0.92 on Fashion-MNIST).")
        public String delta;
    }

    /** Token-bucket rate limit. */
    public static class RateLimitSpec {
        @Required
        @Min(1)
        @Max(1000000)
        @JsonPropertyDescription("Sustained queries per minute per client, counted in input rows: a batch of 64 costs 64.")
        public Integer requestsPerMinute;

        @Min(1)
        @Max(100000)
        @JsonPropertyDescription("Rows a client may send at once above the sustained rate (default: requestsPerMinute / 6); "
                + "a larger batch is refused with 413.")
        public Integer burst;

        @Min(1)
        @Max(1000000000)
        @JsonPropertyDescription("Input rows per client per UTC day (429 once spent); a client's own dailyQuota in the API-key "
                + "Secret overrides it. Omit for no quota.")
        public Integer dailyQuota;
    }

    /** What the response reveals. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "!has(self.exposure) || self.exposure != 'topK' || has(self.topK)", message = "exposure topK needs topK",
            fieldPath = ".topK")
    @ValidationRule(value = "(has(self.exposure) && self.exposure == 'topK') || !has(self.topK)", message = "topK applies only to exposure topK",
            fieldPath = ".topK")
    public static class OutputHardeningSpec {
        @Default("scores")
        @JsonPropertyDescription("scores (all class scores), topK (the k best classes and scores) or label (the predicted class only).")
        public Exposure exposure;

        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Classes returned when exposure is topK.")
        public Integer topK;

        @Min(0)
        @Max(6)
        @JsonPropertyDescription("Round returned scores to this many decimals (omit for no rounding).")
        public Integer roundingDecimals;
    }

    /** One blocked client: an API-key name or an address range. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One blocked client: exactly one of apiKey and cidr, and why it is blocked.")
    @ValidationRule(value = "has(self.apiKey) != has(self.cidr)", message = "set exactly one of apiKey and cidr")
    @ValidationRule(value = "!has(self.cidr) || isCIDR(self.cidr)",
            message = "cidr must be an address range such as 203.0.113.0/24 or 2001:db8::/32", fieldPath = ".cidr")
    public static class BlockedClient {
        @Size(min = 1, max = 253)
        @JsonPropertyDescription("API-key name, as the authenticating gateway identifies the client.")
        public String apiKey;

        @Size(min = 3, max = 43)
        @JsonPropertyDescription("Client address range in CIDR notation.")
        public String cidr;

        @Size(max = 256)
        @JsonPropertyDescription("Why the client is blocked, e.g. an incident ticket; shown in events and the forensic log.")
        public String reason;
    }

    /** Forensic log settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ForensicLogSpec {
        @Default("true")
        @JsonPropertyDescription("Log flagged inputs with scores and provenance.")
        public Boolean enabled;

        @Pattern(Decimals.DURATION)
        @Default("720h")
        @JsonPropertyDescription("How long flagged inputs are kept (default 720h = 30 days; enough to reproduce an incident).")
        public String retention;
    }

    /** Verified client identity (docs/security.md). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.apiKeysSecret) || !has(self.anonymous) || self.anonymous != 'deny'",
            message = "anonymous deny needs apiKeysSecret (else every request would be refused)", fieldPath = ".anonymous")
    public static class AuthenticationSpec {
        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Secret in this namespace whose key clients.json lists the clients: name, sha256 of "
                + "the key, optional requestsPerMinute, burst and dailyQuota. Mounted into the sidecar; raw keys are never stored.")
        public String apiKeysSecret;

        @JsonPropertyDescription("A request with a missing or unknown key: deny (401, the default with apiKeysSecret) "
                + "or sourceAddress (served, limited as its source address).")
        public Anonymous anonymous;

        @Size(max = 64)
        @JsonPropertyDescription("Peers whose X-Forwarded-For header is believed (load balancers, ingress); from any other "
                + "peer the header is ignored.")
        public List<TrustedProxy> trustedProxies;
    }

    /** An address range whose peers may set X-Forwarded-For. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("An address range (load balancer, ingress) whose X-Forwarded-For header is believed.")
    @ValidationRule(value = "isCIDR(self.cidr)", message = "cidr must be an address range such as 10.0.0.0/8 or 2001:db8::/32",
            fieldPath = ".cidr")
    public static class TrustedProxy {
        @Required
        @Size(min = 3, max = 43)
        @JsonPropertyDescription("Address range in CIDR notation.")
        public String cidr;
    }

    /** The shared detector store. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SharedStoreSpec {
        @Required
        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Secret in this namespace whose key url is the Redis URL: redis://[:password@]host[:port][/db], "
                + "or rediss:// for TLS. Given to the sidecars as an environment variable; the operator never reads it.")
        public String secretRef;

        @Default("open")
        @JsonPropertyDescription("When Redis does not answer within its timeout (down, paused, partitioned): open (the "
                + "default: serve, with the replica's own limits and without shared similarity, counted as store errors) "
                + "or closed (refuse with 503 until it answers again).")
        public StoreFailure onFailure;
    }

}
