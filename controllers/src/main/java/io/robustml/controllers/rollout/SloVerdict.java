package io.robustml.controllers.rollout;

import io.robustml.crds.model.SlosSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The verdict as a pure function of (SLOs, canary metrics, baseline metrics). A violation is
 * definitive; otherwise anything the SLOs need but the run did not measure makes it Inconclusive;
 * only a complete, compliant measurement passes. Relative SLOs without a baseline are reported as
 * not applicable, never silently passed and never failed for lack of one.
 */
public final class SloVerdict {
    private SloVerdict() {
    }

    /**
     * @param baseline        the stable revision's numbers from the same suite, or null
     * @param requiredSamples examples the run was asked to evaluate; fewer measured is Inconclusive
     */
    public static Verdict judge(SlosSpec slos, RunMetrics canary, RunMetrics baseline, int requiredSamples) {
        return judge(slos, canary, baseline, requiredSamples, null);
    }

    /**
     * @param noBaseline why there is no baseline (e.g. the stable baseline run failed), reported with the
     *                   relative SLOs that are therefore not applicable; null for the default wording
     */
    public static Verdict judge(SlosSpec slos, RunMetrics canary, RunMetrics baseline, int requiredSamples,
            String noBaseline) {
        return judge(slos, canary, baseline, requiredSamples, noBaseline, RunDetails.NONE);
    }

    /** @param details per-class and corpus figures, for criticalClasses and maxCorpusSuccessRate */
    public static Verdict judge(SlosSpec slos, RunMetrics canary, RunMetrics baseline, int requiredSamples,
            String noBaseline, RunDetails details) {
        String why = noBaseline == null ? "no stable baseline for this suite" : noBaseline;
        SlosSpec s = slos == null ? new SlosSpec() : slos;
        List<String> violations = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> notApplicable = new ArrayList<>();

        if (canary.samples() == null || canary.samples() < requiredSamples) {
            missing.add("the run measured " + (canary.samples() == null ? "no" : canary.samples()) + " examples of "
                    + requiredSamples);
        }
        atMost("adversarialSuccessRate", canary.adversarialSuccessRate(), s.maxAdversarialSuccessRate, violations, missing);
        atLeast("cleanAccuracy", canary.cleanAccuracy(), s.minCleanAccuracy, violations, missing);
        atLeast("detectionRecall", canary.detectionRecall(), s.minDetectionRecall, violations, missing);
        atLeast("detectionPrecision", canary.detectionPrecision(), s.minDetectionPrecision, violations, missing);
        if (s.maxLatencyP99Ms != null) {
            atMost("latencyP99Ms", canary.latencyP99Ms(), Integer.toString(s.maxLatencyP99Ms), violations, missing);
        }

        if (s.criticalClasses != null) {
            for (SlosSpec.CriticalClass c : s.criticalClasses) {
                atMost("adversarialSuccessRate of class " + c.name, details.worstClassSuccess().get(c.name),
                        c.maxAdversarialSuccessRate, violations, missing);
            }
        }
        atMost("corpus adversarialSuccessRate", details.corpusSuccessRate(), s.maxCorpusSuccessRate, violations, missing);
        if (s.minCertifiedAccuracy != null) {
            atLeast("certifiedAccuracy at L2 radius " + s.minCertifiedAccuracy.radius,
                    details.certifiedAccuracyAt(s.minCertifiedAccuracy.radius), s.minCertifiedAccuracy.accuracy, violations, missing);
        }

        if (s.maxAdversarialSuccessRateRatio != null) {
            Double ratio = io.robustml.crds.Decimals.value(s.maxAdversarialSuccessRateRatio);
            Double base = baseline == null ? null : baseline.adversarialSuccessRate();
            if (base == null) {
                notApplicable.add("maxAdversarialSuccessRateRatio (" + why + ")");
            } else if (canary.adversarialSuccessRate() == null) {
                missing.add("adversarialSuccessRate not measured");
            } else if (canary.adversarialSuccessRate() > ratio * base) {
                violations.add(String.format(Locale.ROOT, "adversarialSuccessRate %s is more than %s x stable's %s",
                        fmt(canary.adversarialSuccessRate()), s.maxAdversarialSuccessRateRatio, fmt(base)));
            }
        }
        if (s.maxAdversarialSuccessRateIncrease != null) {
            Double increase = io.robustml.crds.Decimals.value(s.maxAdversarialSuccessRateIncrease);
            Double base = baseline == null ? null : baseline.adversarialSuccessRate();
            if (base == null) {
                notApplicable.add("maxAdversarialSuccessRateIncrease (" + why + ")");
            } else if (canary.adversarialSuccessRate() == null) {
                missing.add("adversarialSuccessRate not measured");
            } else if (canary.adversarialSuccessRate() - base > increase + 1e-12) {
                violations.add(String.format(Locale.ROOT, "adversarialSuccessRate %s rose %s over stable's %s (max increase %s)",
                        fmt(canary.adversarialSuccessRate()), fmt(canary.adversarialSuccessRate() - base), fmt(base),
                        s.maxAdversarialSuccessRateIncrease));
            }
        }
        if (s.maxCleanAccuracyDrop != null) {
            Double drop = io.robustml.crds.Decimals.value(s.maxCleanAccuracyDrop);
            Double base = baseline == null ? null : baseline.cleanAccuracy();
            if (base == null) {
                notApplicable.add("maxCleanAccuracyDrop (" + why + ")");
            } else if (canary.cleanAccuracy() == null) {
                missing.add("cleanAccuracy not measured");
            } else if (base - canary.cleanAccuracy() > drop + 1e-12) {
                violations.add(String.format(Locale.ROOT, "cleanAccuracy %s dropped %s from stable's %s (max drop %s)",
                        fmt(canary.cleanAccuracy()), fmt(base - canary.cleanAccuracy()), fmt(base), s.maxCleanAccuracyDrop));
            }
        }

        Verdict.Outcome outcome = !violations.isEmpty() ? Verdict.Outcome.FAILED
                : !missing.isEmpty() ? Verdict.Outcome.INCONCLUSIVE : Verdict.Outcome.PASSED;
        return new Verdict(outcome, List.copyOf(violations), List.copyOf(missing), List.copyOf(notApplicable));
    }

    private static void atMost(String name, Double measured, String max, List<String> violations, List<String> missing) {
        if (max == null) {
            return;
        }
        Double limit = io.robustml.crds.Decimals.value(max);
        if (measured == null) {
            missing.add(name + " not measured");
        } else if (measured > limit + 1e-12) {
            violations.add(name + " " + fmt(measured) + " > max " + max);
        }
    }

    private static void atLeast(String name, Double measured, String min, List<String> violations, List<String> missing) {
        if (min == null) {
            return;
        }
        Double limit = io.robustml.crds.Decimals.value(min);
        if (measured == null) {
            missing.add(name + " not measured");
        } else if (measured < limit - 1e-12) {
            violations.add(name + " " + fmt(measured) + " < min " + min);
        }
    }

    static String fmt(double v) {
        return new java.math.BigDecimal(v).setScale(4, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }
}
