package io.robustml.tester.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The two extraction modes against the standard reference model, same budget: the knockoff's natural images
 * and JBDA's synthetic queries, each of which is one λ-step (0.1 per pixel) from an earlier query.
 */
class ExtractionModesTest {

    /** Records every query the attacker sends. */
    private static final class Recording implements Target {
        final Target target;
        final List<float[]> sent = new ArrayList<>();

        Recording(Target target) {
            this.target = target;
        }

        @Override
        public Answer classify(float[][] inputs) throws IOException {
            sent.addAll(List.of(inputs));
            return target.classify(inputs);
        }

        @Override
        public long queries() {
            return target.queries();
        }
    }

    @Test
    void jbdaSpendsItsBudgetOnStepsFromEarlierQueriesAndStealsLessThanNaturalImages() throws Exception {
        try (WhiteBoxModel standard = WhiteBoxModel.load(ReferenceData.model("standard"))) {
            LocalTarget target = new LocalTarget(standard, ReferenceData.EXAMPLE_SHAPE);
            LabelledImages pool = ReferenceData.train(2000);
            LabelledImages heldOut = ReferenceData.test(500);
            int[] answers = target.classify(heldOut.images()).predictions();
            KnockoffExtraction extraction = KnockoffExtraction.withBudget(1000, 0);

            Recording jbdaQueries = new Recording(target);
            KnockoffExtraction.Result jbda = extraction.jbda(jbdaQueries, pool.images(), heldOut.images(), answers, 0f, 1f);
            KnockoffExtraction.Result knockoff = extraction.run(target, pool.images(), heldOut.images(), answers);
            System.out.printf(Locale.ROOT, "[extraction] standard model, 1,000 queries: knockoff agreement %.3f, jbda %.3f%n",
                    knockoff.agreement(), jbda.agreement());

            assertThat(jbda.queriesUsed()).isEqualTo(1000).isEqualTo(jbdaQueries.sent.size());
            int seeds = Math.max(10, 1000 / 32);
            for (int q = seeds; q < jbdaQueries.sent.size(); q++) {
                float[] query = jbdaQueries.sent.get(q);
                boolean step = false;
                for (int e = 0; e < q && !step; e++) {
                    float[] earlier = jbdaQueries.sent.get(e);
                    float worst = 0;
                    for (int k = 0; k < query.length; k++) {
                        worst = Math.max(worst, Math.abs(query[k] - earlier[k]));
                    }
                    step = worst <= KnockoffExtraction.JBDA_LAMBDA + 1e-6f && worst > 0;
                }
                assertThat(step).as("query %d is one step from an earlier one", q).isTrue();
            }
            assertThat(jbda.agreement()).as("far above chance (0.1)").isGreaterThan(0.3);
            assertThat(knockoff.agreement()).isGreaterThan(jbda.agreement());
        }
    }
}
