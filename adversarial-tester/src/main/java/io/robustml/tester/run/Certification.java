package io.robustml.tester.run;

import io.robustml.crds.run.AdversarialTestRunStatus.CertificationResult;
import io.robustml.crds.run.AdversarialTestRunStatus.CertifiedClass;
import io.robustml.crds.run.AdversarialTestRunStatus.CertifiedRadius;
import io.robustml.tester.certify.Certify;
import io.robustml.tester.certify.Smoothing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Certified accuracy of the smoothed model over the first examples of the evaluation set: one
 * certificate per example ({@link Certify}), then, per radius, the share classified correctly with a
 * certificate at least that large, overall and per true class. Abstentions count as wrong.
 */
final class Certification {
    private Certification() {
    }

    static CertificationResult run(Smoothing s, Certify.Classifier f, float[][] images, int[] labels, int classes,
            List<String> labelNames, int batch, long seed) throws IOException {
        long started = System.nanoTime();
        int count = Math.min(s.samples(), images.length);
        SplittableRandom random = new SplittableRandom(seed);
        List<Certify.Certificate> certificates = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            certificates.add(Certify.certify(f, images[i], classes, s, batch, random));
        }
        return summarise(s, certificates, java.util.Arrays.copyOf(labels, count), labelNames, (System.nanoTime() - started) / 1e9);
    }

    /** Pure: the report of these certificates for these true labels. */
    static CertificationResult summarise(Smoothing s, List<Certify.Certificate> certificates, int[] labels,
            List<String> labelNames, double seconds) {
        int n = certificates.size();
        int abstained = (int) certificates.stream().filter(c -> c.predicted() == Certify.ABSTAIN).count();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += certificates.get(i).correctWithin(labels[i], 0) ? 1 : 0;
        }
        List<CertifiedRadius> radii = new ArrayList<>();
        for (double r : s.radii()) {
            ClassCounts perClass = new ClassCounts();
            int certified = 0;
            for (int i = 0; i < n; i++) {
                boolean ok = certificates.get(i).correctWithin(labels[i], r);
                certified += ok ? 1 : 0;
                perClass.add(labels[i], true, false, ok);
            }
            radii.add(new CertifiedRadius(r, n == 0 ? 0 : (double) certified / n, perClass.rows().stream()
                    .map(row -> new CertifiedClass(TargetClasses.name(row.label(), labelNames), row.examples(),
                            row.accuracy())).toList()));
        }
        return new CertificationResult(s.sigma(), s.n0(), s.n(), s.alpha(), n, abstained,
                n == 0 ? 0 : (double) correct / n, radii, seconds);
    }
}
