package io.robustml.crds.model;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What the user wants: the model, how to serve it, what to defend against, and the bar to ship. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What you want, written in Git: the model, how to serve it, the threat model, the detector, the "
        + "SLOs and the rollout. A change to what the serving pods run is a new revision, rolled out as a canary and "
        + "promoted only after it passes its adversarial analysis.")
@ValidationRule(value = "!has(self.slos) || (!has(self.slos.minDetectionRecall) && !has(self.slos.minDetectionPrecision)) "
        + "|| (has(self.detector) && has(self.detector.methods) && size(self.detector.methods) > 0)",
        message = "detection SLOs need a detector: set detector.methods (an empty list detects nothing to measure)",
        fieldPath = ".slos")
@ValidationRule(value = "!has(self.slos) || !has(self.slos.maxCorpusSuccessRate) || (has(self.threatModel) && has(self.threatModel.corpus))",
        message = "maxCorpusSuccessRate needs threatModel.corpus (the regression corpus it measures)",
        fieldPath = ".slos.maxCorpusSuccessRate")
@ValidationRule(value = "!has(self.slos) || !has(self.slos.criticalClasses) || self.slos.criticalClasses.all(c, "
        + "(has(self.model.labels) && c.name in self.model.labels) || (c.name.matches('^[0-9]{1,4}$') "
        + "&& (!has(self.model.labels) || size(self.model.labels) == 0 || int(c.name) < size(self.model.labels))))",
        message = "a critical class is one of model.labels, or a class index below their number",
        fieldPath = ".slos.criticalClasses")
@ValidationRule(value = "!has(self.threatModel) || self.threatModel.access != 'whitebox' || self.model.format == 'torchscript'",
        message = "whitebox access needs gradients: use model.format torchscript (ONNX models are inference-only here)",
        fieldPath = ".threatModel.access")
@ValidationRule(value = "!has(self.threatModel) || self.model.format == 'torchscript' || "
        + "self.threatModel.attacks.all(a, a.type != 'fgsm' && a.type != 'pgd')",
        message = "fgsm and pgd are gradient attacks: they need model.format torchscript",
        fieldPath = ".threatModel.attacks")
@ValidationRule(value = "!has(self.detector) || !has(self.detector.outputHardening) || !has(self.detector.outputHardening.topK) "
        + "|| !has(self.model.labels) || size(self.model.labels) == 0 || self.detector.outputHardening.topK <= size(self.model.labels)",
        message = "outputHardening.topK cannot exceed the number of model.labels",
        fieldPath = ".detector.outputHardening.topK")
@ValidationRule(value = "!has(self.threatModel) || !has(self.model.input) || !has(self.model.input.features) "
        + "|| self.threatModel.attacks.all(a, a.type != 'square')",
        message = "square attacks perturb square windows of an image: a tabular input (model.input.features) takes "
                + "hopskipjump, noise, fgsm, pgd or transfer", fieldPath = ".threatModel.attacks")
@ValidationRule(value = "!has(self.model.input) || !has(self.model.input.features) || !has(self.detector) "
        + "|| !has(self.detector.methods) || !self.detector.methods.exists(m, m == 'featureSqueezing')",
        message = "feature squeezing reduces an image's colour depth and smooths it: a tabular input (model.input.features) "
                + "takes querySimilarity and extraction; list detector.methods without featureSqueezing",
        fieldPath = ".detector.methods")
@ValidationRule(value = "!has(self.threatModel) || !has(self.threatModel.certification) || self.model.format == 'torchscript'",
        message = "certification samples the model file in the tester: use model.format torchscript",
        fieldPath = ".threatModel.certification")
@ValidationRule(value = "!has(self.slos) || !has(self.slos.minCertifiedAccuracy) || (has(self.threatModel) "
        + "&& has(self.threatModel.certification) && self.threatModel.certification.radii.exists(r, "
        + "double(r) == double(self.slos.minCertifiedAccuracy.radius)))",
        message = "minCertifiedAccuracy needs threatModel.certification with its radius among certification.radii",
        fieldPath = ".slos.minCertifiedAccuracy")
@ValidationRule(value = "!has(self.model.credentials) || [self.model.uri, "
        + "has(self.rollout) && has(self.rollout.analysis) ? self.rollout.analysis.dataset : '', "
        + "has(self.threatModel) && has(self.threatModel.corpus) ? self.threatModel.corpus.uri : '', "
        + "has(self.threatModel) && has(self.threatModel.surrogateModel) ? self.threatModel.surrogateModel.uri : ''"
        + "].exists(u, u.startsWith('s3://') || u.startsWith('https://'))",
        message = "credentials apply only to s3:// and https:// stores: the model's, or the analysis dataset's, corpus's or "
                + "surrogate's", fieldPath = ".model.credentials")
public class RobustModelSpec {
    @Required
    @JsonPropertyDescription("The model file to serve, its format, input and the digest pods verify before serving it.")
    public ModelSpec model;

    @io.fabric8.generator.annotation.Default("{}")
    @JsonPropertyDescription("How the model is served: runtime, replicas, resources and GPUs.")
    public ServingSpec serving;

    @Required
    @JsonPropertyDescription("What the model must withstand: attacker access and goal, and the attacks of the test suite.")
    public ThreatModelSpec threatModel;

    @JsonPropertyDescription("The detector sidecar in front of the model server. Runtime settings here (action, "
            + "thresholds, rate limit, blocked clients) apply within seconds without a new rollout.")
    public DetectorSpec detector;

    @JsonPropertyDescription("Robustness service-level objectives a revision must meet to be promoted.")
    public SlosSpec slos;

    @Required
    @JsonPropertyDescription("How new revisions are rolled out: canary size, adversarial analysis and rollback. Required: "
            + "the operator promotes only revisions that passed an analysis, which needs rollout.analysis.dataset.")
    public RolloutSpec rollout;
}
