package io.robustml.controllers.rollout;

import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The finer figures some SLOs need beside {@link RunMetrics}: each class's worst adversarial success
 * over the attacks that ran (skipped attacks measured nothing), and the regression corpus's success
 * rate. Absent figures are simply not there: "missing" to a verdict.
 *
 * @param worstClassSuccess class name (label, or index) -> highest per-class success rate over the attacks
 * @param corpusSuccessRate null when no corpus was replayed
 * @param certifiedAccuracy L2 radius (trailing zeros stripped) -> certified accuracy of the smoothed model
 */
public record RunDetails(Map<String, Double> worstClassSuccess, Double corpusSuccessRate,
        Map<java.math.BigDecimal, Double> certifiedAccuracy) {
    public static final RunDetails NONE = new RunDetails(Map.of(), null, Map.of());

    /** Without certification. */
    public RunDetails(Map<String, Double> worstClassSuccess, Double corpusSuccessRate) {
        this(worstClassSuccess, corpusSuccessRate, Map.of());
    }

    /** Certified accuracy at {@code radius} ("0.25" and "0.250" are one radius); null when not measured. */
    public Double certifiedAccuracyAt(String radius) {
        return certifiedAccuracy.get(radiusKey(radius));
    }

    private static java.math.BigDecimal radiusKey(String radius) {
        try {
            return new java.math.BigDecimal(radius.trim()).stripTrailingZeros();
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    public static RunDetails of(AdversarialTestRunStatus s) {
        if (s == null) {
            return NONE;
        }
        Map<String, Double> worst = new LinkedHashMap<>();
        if (s.attacks != null) {
            for (AdversarialTestRunStatus.AttackResult a : s.attacks) {
                if (a.skipped() != null || a.perClass() == null) {
                    continue;
                }
                for (AdversarialTestRunStatus.ClassResult c : a.perClass()) {
                    Double rate = c.adversarialSuccessRate();
                    if (c.className() != null && rate != null) {
                        worst.merge(c.className(), rate, Math::max);
                    }
                }
            }
        }
        Map<java.math.BigDecimal, Double> certified = new java.util.HashMap<>();
        if (s.certification != null && s.certification.radii() != null) {
            for (AdversarialTestRunStatus.CertifiedRadius r : s.certification.radii()) {
                java.math.BigDecimal key = r.radius() == null ? null : java.math.BigDecimal.valueOf(r.radius()).stripTrailingZeros();
                Double accuracy = r.certifiedAccuracy();
                if (key != null && accuracy != null) {
                    certified.put(key, accuracy);
                }
            }
        }
        return new RunDetails(Map.copyOf(worst), s.corpus == null ? null : s.corpus.adversarialSuccessRate(),
                Map.copyOf(certified));
    }
}
