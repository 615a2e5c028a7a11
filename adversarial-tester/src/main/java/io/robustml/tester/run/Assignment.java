package io.robustml.tester.run;

import io.robustml.crds.model.ThreatModelSpec;
import io.robustml.crds.run.AdversarialTestRunSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What to test, read from an AdversarialTestRun's spec and checked before any work starts. */
public record Assignment(String model, String revision, String endpoint, String modelUri, String modelSha256,
        boolean targeted, List<AttackPlan> attacks, String datasetUri, int samples, Squeezing squeezing) {

    /** The feature squeezers adaptive attacks must get past (the sidecar's settings, else its defaults). */
    public record Squeezing(int bitDepth, int medianWindow) {
        static Squeezing of(io.robustml.crds.model.DetectorSpec detector) {
            var s = detector == null ? null : detector.featureSqueezing;
            return new Squeezing(s == null || s.bitDepth == null ? 4 : s.bitDepth, s == null || s.medianWindow == null ? 2 : s.medianWindow);
        }
    }
    public static final int DEFAULT_SAMPLES = 1000;

    /** The same assignment, reaching the target at another URL (a tester run outside the cluster). */
    public Assignment withEndpoint(String url) {
        return new Assignment(model, revision, url, modelUri, modelSha256, targeted, attacks, datasetUri, samples, squeezing);
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
        if (plans.stream().anyMatch(AttackPlan::whiteBox) && spec.target.modelUri == null) {
            throw new IllegalArgumentException("fgsm and pgd are white-box attacks: the run needs spec.target.modelUri, "
                    + "a model file the tester can read");
        }
        return new Assignment(spec.target.model, spec.target.revision, spec.target.endpoint, spec.target.modelUri,
                spec.target.modelSha256, spec.goal == ThreatModelSpec.Goal.TARGETED, plans, spec.dataset.uri,
                spec.dataset.samples == null ? DEFAULT_SAMPLES : spec.dataset.samples, Squeezing.of(spec.detector));
    }
}
