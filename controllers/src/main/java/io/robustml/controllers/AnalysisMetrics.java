package io.robustml.controllers;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Every figure of the latest finished analysis of each serving revision (stable and canary) as a
 * Prometheus gauge, so dashboards and burn-rate alerts read what the verdicts read:
 * {@code robustml_analysis_*{namespace,model,revision[,attack[,class]]}}. Series of revisions that no
 * longer serve are removed, so cardinality stays at two revisions per model.
 */
public final class AnalysisMetrics {
    private final MeterRegistry registry;
    /** Each model's series, by meter id, with the value holder the gauge reads. */
    private final Map<String, Map<Meter.Id, AtomicReference<Double>>> byModel = new ConcurrentHashMap<>();

    public AnalysisMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Exports the newest finished run of each revision in {@code revisions}; forgets every other series of the model. */
    public synchronized void record(String namespace, String model, Collection<AdversarialTestRun> runs, Set<String> revisions) {
        Map<Meter.Id, Double> values = new HashMap<>();
        for (String revision : revisions) {
            latestFinished(runs, revision).ifPresent(run -> collect(namespace, model, revision, run.getStatus(),
                    new Series(values)));
        }
        Map<Meter.Id, AtomicReference<Double>> current = byModel.computeIfAbsent(namespace + "/" + model, k -> new HashMap<>());
        for (Meter.Id gone : new HashSet<>(current.keySet())) {
            if (!values.containsKey(gone)) {
                registry.remove(gone);
                current.remove(gone);
            }
        }
        values.forEach((id, value) -> current.computeIfAbsent(id, this::register).set(value));
    }

    /** Drops every series of models no longer in {@code live} ("namespace/name"): deleted models leave nothing behind. */
    public synchronized void retainModels(Set<String> live) {
        for (String key : new HashSet<>(byModel.keySet())) {
            if (!live.contains(key)) {
                byModel.remove(key).keySet().forEach(registry::remove);
            }
        }
    }

    private AtomicReference<Double> register(Meter.Id id) {
        AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
        Gauge.builder(id.getName(), holder, h -> h.get()).tags(id.getTags()).description(id.getDescription()).register(registry);
        return holder;
    }

    static Optional<AdversarialTestRun> latestFinished(Collection<AdversarialTestRun> runs, String revision) {
        return latestFinished(runs, revision, r -> true);
    }

    /** The newest Succeeded run of the revision that also satisfies {@code also}. */
    static Optional<AdversarialTestRun> latestFinished(Collection<AdversarialTestRun> runs, String revision,
            java.util.function.Predicate<AdversarialTestRun> also) {
        return runs.stream().filter(also)
                .filter(r -> r.getSpec() != null && r.getSpec().target != null && revision.equals(r.getSpec().target.revision))
                .filter(r -> r.getStatus() != null && "Succeeded".equals(r.getStatus().phase))
                .max(Comparator.comparing((AdversarialTestRun r) -> Objects.toString(r.getStatus().completionTime, ""))
                        .thenComparing(r -> r.getMetadata().getName()));
    }

    private static void collect(String namespace, String model, String revision, AdversarialTestRunStatus s,
            Series out) {
        Tags base = Tags.of("namespace", namespace, "model", model, "revision", revision);
        out.gauge("robustml_analysis_clean_accuracy", "Clean accuracy measured by the latest analysis", base, s.cleanAccuracy);
        out.gauge("robustml_analysis_adversarial_success_rate", "Adversarial success rate by attack (all: the highest)",
                base.and("attack", "all"), s.adversarialSuccessRate);
        if (s.samples != null) {
            out.gauge("robustml_analysis_samples", "Examples the latest analysis evaluated", base, s.samples);
        }
        if (s.detector != null) {
            out.gauge("robustml_analysis_detection_recall", "Detector recall on successful adversarial examples (M3)", base,
                    s.detector.recall());
            out.gauge("robustml_analysis_detection_precision", "Detector precision on the analysis traffic (M2)", base,
                    s.detector.precision());
            out.gauge("robustml_analysis_detection_false_positive_rate", "Fraction of clean examples the detectors flagged",
                    base, s.detector.falsePositiveRate());
        }
        if (s.latency != null) {
            out.gauge("robustml_analysis_latency_p99_ms", "p99 latency through the sidecar during the analysis", base,
                    s.latency.p99Ms());
        }
        AdversarialTestRunStatus.Calibration c = s.calibration;
        if (c != null && c.featureSqueezing() != null) {
            Tags fs = base.and("detector", "featureSqueezing");
            out.gauge("robustml_analysis_calibrated_threshold", "Detector threshold calibrated by the latest analysis", fs,
                    c.featureSqueezing().threshold());
            out.gauge("robustml_analysis_calibrated_false_positive_rate",
                    "False-positive rate of the calibrated threshold on held-out clean inputs", fs,
                    c.featureSqueezing().measuredFalsePositiveRate());
        }
        if (c != null && c.querySimilarity() != null) {
            Tags qs = base.and("detector", "querySimilarity");
            out.gauge("robustml_analysis_calibrated_threshold", "Detector threshold calibrated by the latest analysis", qs,
                    c.querySimilarity().matchThreshold());
            out.gauge("robustml_analysis_calibrated_false_positive_rate",
                    "False-positive rate of the calibrated threshold on held-out clean inputs", qs,
                    c.querySimilarity().measuredFalsePositiveRate());
        }
        for (AdversarialTestRunStatus.AttackResult a : s.attacks == null ? List.<AdversarialTestRunStatus.AttackResult>of()
                : s.attacks) {
            if (a.name() == null) {
                continue;
            }
            Tags attack = base.and("attack", a.name());
            out.gauge("robustml_analysis_adversarial_success_rate", "Adversarial success rate by attack (all: the highest)",
                    attack, a.adversarialSuccessRate());
            out.gauge("robustml_analysis_robust_accuracy", "Accuracy under the attack", attack, a.robustAccuracy());
            out.gauge("robustml_analysis_attack_detection_recall", "Detector recall on the attack's successful examples",
                    attack, a.detectionRecall());
            if (a.queriesUsed() != null) {
                out.gauge("robustml_analysis_queries", "Queries the attack sent to the target", attack, a.queriesUsed());
            }
        }
    }

    /** The gauges one reconcile wants, by meter id. */
    private record Series(Map<Meter.Id, Double> values) {
        void gauge(String name, String description, Tags tags, Number value) {
            if (value != null && Double.isFinite(value.doubleValue())) {
                values.put(new Meter.Id(name, tags, null, description, Meter.Type.GAUGE), value.doubleValue());
            }
        }
    }
}
