package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.certify.Certify;
import io.robustml.tester.certify.Smoothing;
import io.robustml.tester.targets.Batches;
import io.robustml.tester.targets.LocalTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Randomized smoothing on the committed robust model: certificates shrink with the radius, and each one
 * holds against the strongest attack there is here — PGD in L2 on the model file, from the certified
 * input, at half the certified radius — where the smoothed model's vote (fresh draws) still gives the
 * certified class. At half the radius the guarantee leaves that class a probability of at least
 * Phi(Phi^-1(pA)/2) >= 0.69, far from a coin toss for 1,000 draws.
 */
class SmoothingOnReferenceModelsTest {
    private static final int EXAMPLES = 40;
    private static final Smoothing SMOOTHING = new Smoothing(0.25, 100, 1000, 0.001, List.of(0.25, 0.5), EXAMPLES);

    @Test
    void theRobustModelsCertificatesShrinkWithTheRadiusAndHoldAgainstPgdL2() throws Exception {
        LabelledImages test = ReferenceData.test(EXAMPLES);
        try (WhiteBoxModel model = WhiteBoxModel.load(ReferenceData.model("robust"))) {
            LocalTarget local = new LocalTarget(model, ReferenceData.EXAMPLE_SHAPE);
            Certify.Classifier f = batch -> local.classify(batch).predictions();
            SplittableRandom random = new SplittableRandom(7);
            List<Certify.Certificate> certificates = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < EXAMPLES; i++) {
                certificates.add(Certify.certify(f, test.images()[i], 10, SMOOTHING, 500, random));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int[] labels = test.labels();
            double smoothed = accuracy(certificates, labels, 0);
            double at025 = accuracy(certificates, labels, 0.25);
            double at05 = accuracy(certificates, labels, 0.5);
            long abstained = certificates.stream().filter(c -> c.predicted() == Certify.ABSTAIN).count();
            System.out.printf("[certify] robust model, sigma 0.25, n0 100, n 1000, alpha 0.001, %d examples: smoothed %.3f, "
                    + "certified %.3f at L2 0.25, %.3f at 0.5, %d abstained, %.1f s%n", EXAMPLES, smoothed, at025, at05, abstained, seconds);
            assertThat(at05).isLessThanOrEqualTo(at025);
            assertThat(at025).isLessThanOrEqualTo(smoothed);
            assertThat(at025).as("the robust model certifies some examples at 0.25").isPositive();

            int checked = 0;
            for (int i = 0; i < EXAMPLES; i++) {
                Certify.Certificate c = certificates.get(i);
                if (!c.correctWithin(labels[i], 0.25)) {
                    continue;
                }
                float eps = (float) (c.radius() / 2);
                float[] adversarial;
                try (NDManager m = model.newManager()) {
                    NDArray x = m.create(test.images()[i], Batches.shape(1, ReferenceData.EXAMPLE_SHAPE));
                    NDArray adv = new Pgd(Constraint.unitRange(Norm.L2, eps), eps / 8, 20, 0, true).attack(model, x, m.create(new int[] {labels[i]}));
                    adversarial = adv.toFloatArray();
                }
                double moved = 0;
                for (int k = 0; k < adversarial.length; k++) {
                    moved += (adversarial[k] - test.images()[i][k]) * (adversarial[k] - test.images()[i][k]);
                }
                assertThat(Math.sqrt(moved)).isLessThanOrEqualTo(eps * 1.001);
                int[] votes = Certify.votes(f, adversarial, 10, 1000, 0.25, 500, random);
                int top = 0;
                for (int k = 1; k < 10; k++) {
                    top = votes[k] > votes[top] ? k : top;
                }
                assertThat(top).as("example %d, certified %s within %.3f, attacked at %.3f: votes %s", i, c.predicted(), c.radius(), eps,
                        Arrays.toString(votes)).isEqualTo(c.predicted());
                checked++;
            }
            assertThat(checked).isPositive();
        }
    }

    private static double accuracy(List<Certify.Certificate> certificates, int[] labels, double radius) {
        int ok = 0;
        for (int i = 0; i < certificates.size(); i++) {
            ok += certificates.get(i).correctWithin(labels[i], radius) ? 1 : 0;
        }
        return (double) ok / certificates.size();
    }
}
