package io.robustml.controllers.rollout;

import io.robustml.crds.run.AdversarialTestRunStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The finer figures some SLOs need beside {@link RunMetrics}: each class's worst adversarial success
 * over the attacks that ran (skipped attacks measured nothing), and the regression corpus's success
 * rate. Absent or unparseable figures are simply not there: "missing" to a verdict.
 *
 * @param worstClassSuccess class name (label, or index) -> highest per-class success rate over the attacks
 * @param corpusSuccessRate null when no corpus was replayed
 */
public record RunDetails(Map<String, Double> worstClassSuccess, Double corpusSuccessRate) {
    public static final RunDetails NONE = new RunDetails(Map.of(), null);

    public static RunDetails of(AdversarialTestRunStatus s) {
        if (s == null) {
            return NONE;
        }
        Map<String, Double> worst = new LinkedHashMap<>();
        if (s.attacks != null) {
            for (AdversarialTestRunStatus.AttackResult a : s.attacks) {
                if (a.skipped != null || a.perClass == null) {
                    continue;
                }
                for (AdversarialTestRunStatus.ClassResult c : a.perClass) {
                    Double rate = RunMetrics.number(c.adversarialSuccessRate);
                    if (c.className != null && rate != null) {
                        worst.merge(c.className, rate, Math::max);
                    }
                }
            }
        }
        return new RunDetails(Map.copyOf(worst), s.corpus == null ? null : RunMetrics.number(s.corpus.adversarialSuccessRate));
    }
}
