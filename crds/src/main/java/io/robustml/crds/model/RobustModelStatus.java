package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and decided; the operator writes only status, never spec. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What the operator observed and decided: phase, conditions, the stable and canary revisions, the "
        + "analysis in progress, the last analysis and the recent history. Written only by the operator, through the "
        + "status subresource.")
public class RobustModelStatus {
    /** Most records {@link #history} holds; the operator drops the oldest beyond this. */
    public static final int HISTORY_LIMIT = 10;

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Pending, Progressing (canary under analysis), Ready, Degraded (serving stable after a "
            + "rejected revision) or Failed (the first revision failed its analysis).")
    public String phase;

    @JsonPropertyDescription("Ready, Progressing, Degraded and more, following Kubernetes API conventions.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Revision (hash of what changes the serving pods) that serves traffic.")
    public String stableRevision;

    @JsonPropertyDescription("Revision under analysis, if any.")
    public String canaryRevision;

    @JsonPropertyDescription("Name of the Gateway API HTTPRoute the operator keeps for a canary sized by weight; "
            + "empty otherwise (a route it made is deleted when the spec stops using weight).")
    public String trafficRoute;

    @JsonPropertyDescription("Detector thresholds in force that were calibrated per revision (spec.detector."
            + "featureSqueezing.targetFalsePositiveRate, querySimilarity.targetFalsePositiveRate): the stable revision's own, "
            + "from the analysis that measured it.")
    public DetectorCalibrationStatus detector;

    /** The calibrated feature-squeezing threshold the sidecars use. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("A detector threshold calibrated on the stable revision's own clean answers.")
    public static class DetectorCalibrationStatus {
        @JsonPropertyDescription("Feature-squeezing threshold rendered into the detector config (decimal string).")
        public String featureSqueezingThreshold;
        @JsonPropertyDescription("The false-positive rate the threshold was calibrated for.")
        public String targetFalsePositiveRate;
        @JsonPropertyDescription("The false-positive rate the threshold gave on held-out clean images.")
        public String measuredFalsePositiveRate;
        @JsonPropertyDescription("Query-similarity match threshold rendered into the detector config.")
        public Integer querySimilarityMatchThreshold;
        @JsonPropertyDescription("The false-positive rate the match threshold was calibrated for.")
        public String querySimilarityTargetFalsePositiveRate;
        @JsonPropertyDescription("The false-positive rate the match threshold gave on held-out clean queries.")
        public String querySimilarityMeasuredFalsePositiveRate;
        @JsonPropertyDescription("Revision the threshold was calibrated on.")
        public String revision;
        @JsonPropertyDescription("The AdversarialTestRun that calibrated it.")
        public String runName;
    }

    @JsonPropertyDescription("A revision whose analysis failed (or was aborted): it does not serve while the spec "
            + "names it. Change the spec, or set the robustml.io/retry annotation to analyse it again.")
    public String rejectedRevision;

    @JsonPropertyDescription("The analysis in progress, recorded before its run and Job are created so that a "
            + "restarted operator resumes it instead of starting another.")
    public AnalysisProgress analysis;

    @JsonPropertyDescription("Values of the robustml.io/retry, /abort and /promote annotations already acted on, "
            + "so each request is handled once.")
    public java.util.Map<String, String> handledRequests;

    @JsonPropertyDescription("Summary of the most recent analysis.")
    public AnalysisSummary lastAnalysis;

    @JsonPropertyDescription("The re-scan of the stable revision in progress (rollout.rescan), recorded before its run "
            + "and Job are created.")
    public AnalysisProgress rescan;

    @JsonPropertyDescription("Summary of the stable revision's most recent re-scan.")
    public AnalysisSummary lastRescan;

    @JsonPropertyDescription("With rollout.guard: the previous stable revision, whose Deployment is kept with 0 pods so "
            + "that the guard can roll back to it without a spec change.")
    public String rollbackRevision;

    @JsonPropertyDescription("The post-promotion guard's state for the serving revision (rollout.guard).")
    public GuardStatus guard;

    @Size(max = HISTORY_LIMIT)
    @JsonPropertyDescription("Recent revisions and their verdicts, newest first (at most 10).")
    public List<RevisionRecord> history;

    /** The analysis of the canary in progress. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AnalysisProgress {
        @JsonPropertyDescription("Revision under analysis.")
        public String revision;
        @JsonPropertyDescription("Attempt number, from 1; a new attempt follows an inconclusive one.")
        public Integer attempt;
        @JsonPropertyDescription("The AdversarialTestRun of this attempt (also the name of its Job).")
        public String runName;
        @JsonPropertyDescription("When the run was created (RFC 3339); the analysis timeout counts from here.")
        public String startedAt;
        @JsonPropertyDescription("When this attempt began waiting for the canary's pods to be Ready (RFC 3339); "
                + "rollout.progressDeadlineSeconds counts from here.")
        public String progressingSince;
        @JsonPropertyDescription("Why the previous attempt was inconclusive, if it was.")
        public String lastInconclusive;
        @JsonPropertyDescription("True when the canary failed its analysis and autoRollback is false: it waits for "
                + "robustml.io/abort or robustml.io/promote.")
        public Boolean held;
        @JsonPropertyDescription("Stable replicas lent to the canary for this analysis because its GPUs did not fit "
                + "(rollout.canary.capacityPolicy: reuseStable); the stable Deployment gets them back when the analysis ends.")
        public Integer stableReplicasLent;
        @JsonPropertyDescription("The AdversarialTestRun measuring the stable revision as the baseline for relative SLOs, "
                + "when no baseline exists for the stable revision and suite; recorded before the run is created. Cleared "
                + "when it ends: measured (a Baseline record in history) or not (baselineUnavailable).")
        public String baselineRunName;
        @JsonPropertyDescription("The stable revision the baseline run measures.")
        public String baselineRevision;
        @JsonPropertyDescription("When the baseline run was created (RFC 3339); the analysis timeout counts from here.")
        public String baselineStartedAt;
        @JsonPropertyDescription("Why the stable baseline could not be measured: the canary is then judged without it "
                + "(relative SLOs not applicable) and the verdict says so.")
        public String baselineUnavailable;
    }

    /** Headline numbers of one analysis. Decimal values are strings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AnalysisSummary {
        @JsonPropertyDescription("The AdversarialTestRun.")
        public String runName;
        @JsonPropertyDescription("Revision that was analysed.")
        public String revision;
        @JsonPropertyDescription("Passed, Failed or Inconclusive.")
        public String verdict;
        @JsonPropertyDescription("Highest adversarial success rate over the suite's attacks.")
        public String adversarialSuccessRate;
        @JsonPropertyDescription("Clean accuracy.")
        public String cleanAccuracy;
        @JsonPropertyDescription("Detector recall on successful adversarial examples.")
        public String detectionRecall;
        @JsonPropertyDescription("SLOs the revision violated, each with its measured value.")
        public List<String> violatedSlos;
        @io.fabric8.generator.annotation.Size(max = 32)
        @JsonPropertyDescription("The run's warnings that its numbers may overstate robustness (reason: message), e.g. "
                + "GradientMasking; also the RobustnessWarning condition.")
        public List<String> warnings;
        @JsonPropertyDescription("When the verdict was reached (RFC 3339).")
        public String finishedAt;
    }

    /** One revision in the history. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("One verdict on one revision: promoted or rejected, when, and on which analysis.")
    public static class RevisionRecord {
        @JsonPropertyDescription("Revision (hash of what changes the serving pods) the verdict is about.")
        public String revision;
        @JsonPropertyDescription("The spec's model.sha256 when the revision was promoted; absent for a rejected revision.")
        public String modelSha256;
        @JsonPropertyDescription("Passed (promoted after an analysis, or again within the rollback window), PromotedManually "
                + "(robustml.io/promote), Failed (violated an SLO), Inconclusive (no verdict after the retries), Aborted "
                + "(robustml.io/abort), Baseline (the stable revision measured as the baseline for a canary's relative SLOs), "
                + "BaselineUnavailable (that measurement failed or timed out), or a re-scan of the stable revision (a new "
                + "suite or its schedule): Rescanned (met the SLOs), RescanFailed (violated one) or RescanInconclusive (no verdict).")
        public String verdict;
        @JsonPropertyDescription("The AdversarialTestRun whose measurements led to the verdict; absent when none did "
                + "(e.g. a manual promotion before any run).")
        public String runName;
        @JsonPropertyDescription("When the verdict was reached (RFC 3339).")
        public String at;
        @JsonPropertyDescription("Hash of the test suite (threat model and analysis data) the verdict was reached with.")
        public String suite;
        @JsonPropertyDescription("Clean accuracy measured (the baseline for the next canary's relative SLOs).")
        public String cleanAccuracy;
        @JsonPropertyDescription("Highest adversarial success rate measured (baseline for relative SLOs).")
        public String adversarialSuccessRate;
    }

    /** The post-promotion guard's decision, recorded before it is acted on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonClassDescription("The post-promotion guard's state for the serving revision: Quiet, Burning (alert), Contained "
            + "or RollingBack, with the burn rates that moved it there.")
    public static class GuardStatus {
        @JsonPropertyDescription("The serving revision the guard watches.")
        public String revision;
        @JsonPropertyDescription("Quiet, Burning (a window pair fires, action alert), Contained (its sidecars block what "
                + "they flag) or RollingBack (the previous stable revision is scaled up to take over).")
        public String state;
        @JsonPropertyDescription("When the state was entered (RFC 3339).")
        public String since;
        @JsonPropertyDescription("The alert rate the burn rates are measured against (decimal string).")
        public String baselineRate;
        @JsonPropertyDescription("Where the baseline rate came from: spec, analysis (the run named) or default.")
        public String baselineSource;
        @JsonPropertyDescription("The window pairs' figures when the state was entered, e.g. \"30s/10s: 720/722 and "
                + "720/722 requests alerted = 19.9x and 19.9x baseline (fires above 3x) (baseline 0.05)\".")
        public String message;
        @JsonPropertyDescription("RollingBack: the revision being scaled up to serve again.")
        public String rollbackTo;
    }
}
