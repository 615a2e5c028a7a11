package io.robustml.tester.tabular;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.robustml.crds.model.ModelSpec;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.FeatureRules;
import io.robustml.tester.attack.HopSkipJump;
import io.robustml.tester.attack.NoiseAttack;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.Pgd;
import io.robustml.tester.attack.ScaledModel;
import io.robustml.tester.attack.WhiteBoxModel;
import io.robustml.tester.run.EvaluationData;
import io.robustml.tester.targets.LocalTarget;
import io.robustml.tester.targets.ScaledTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every attack that runs on a tabular input, white- and black-box, under random column rules, budgets and
 * norms: immutable columns never change, columns with a maxChange move at most that far, integer columns stay
 * whole numbers in the model's units, one-hot
 * groups stay one-hot, every value stays in its column's range, and the example stays within ε. Checked here
 * from the numbers, not by the tester's own check. 60 cases drawn from a fixed seed (each named by its draw, so
 * a failure can be run again alone).
 */
class TabularRulesPropertyTest {
    private static WhiteBoxModel model;
    private static LabelledImages rows;
    private static List<ModelSpec.FeatureSpec> columns;

    enum Attack { FGSM, PGD, HOPSKIPJUMP, NOISE }

    /** Column kinds drawn for one property try; a one-hot group takes columns from the last ten. */
    record Rules(long seed, int immutable, int integer, int groups) {
    }

    @BeforeAll
    static void load() throws Exception {
        model = WhiteBoxModel.load(TabularModels.MODELS.resolve("tabular-standard.pt"));
        rows = EvaluationData.load(TabularModels.DATA.toString(), 6, 0, Map.of(), TabularModels.SHAPE).test();
        columns = TabularModels.columns();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The draws: rules, attack, norm and budget, from one seed. */
    static Stream<Arguments> draws() {
        Random random = new Random(20261207L);
        float[] budgets = {0.02f, 0.1f, 0.3f, 1.0f, 2.0f};
        return java.util.stream.IntStream.range(0, 60).mapToObj(i -> Arguments.of(
                new Rules(random.nextLong(), random.nextInt(9), random.nextInt(9), random.nextInt(4)),
                Attack.values()[random.nextInt(Attack.values().length)], Norm.values()[random.nextInt(Norm.values().length)],
                budgets[random.nextInt(budgets.length)]));
    }

    @ParameterizedTest(name = "{index}: {1} {2} eps {3}, {0}")
    @MethodSource("draws")
    void everyAttackKeepsEveryColumnsRule(Rules drawn, Attack attack, Norm norm, float epsilon) throws Exception {
        Random random = new Random(drawn.seed());
        List<ModelSpec.FeatureSpec> specs = new ArrayList<>();
        List<Integer> order = new ArrayList<>(java.util.stream.IntStream.range(0, 20).boxed().toList());
        java.util.Collections.shuffle(order, random);
        for (int j = 0; j < columns.size(); j++) {
            ModelSpec.FeatureSpec c = new ModelSpec.FeatureSpec();
            c.name = columns.get(j).name;
            c.min = columns.get(j).min;
            c.max = columns.get(j).max;
            int rank = j < 20 ? order.indexOf(j) : -1;
            c.mutable = !(rank >= 0 && rank < drawn.immutable());
            boolean wholeNumbers = Math.floor(Double.parseDouble(c.max)) - Math.ceil(Double.parseDouble(c.min)) >= 1;
            c.type = wholeNumbers && rank >= drawn.immutable() && rank < drawn.immutable() + drawn.integer()
                    ? ModelSpec.FeatureType.INTEGER : null;
            if (j >= 20 && (j - 20) / 3 < drawn.groups()) {
                c.min = "0";
                c.max = "1";
                c.oneHotGroup = "g" + (j - 20) / 3;
            }
            specs.add(c);
        }
        // A quarter of the other columns get their own epsilon (maxChange), from a generator of their own so that
        // the draws above stay as they were.
        Random caps = new Random(drawn.seed() ^ 0x5eedL);
        String[] fractions = {"0", "0.01", "0.05", "0.2"};
        for (ModelSpec.FeatureSpec c : specs) {
            if (c.oneHotGroup == null && caps.nextInt(4) == 0) {
                c.maxChange = fractions[caps.nextInt(fractions.length)];
            }
        }
        FeatureRules rules = FeatureRules.of(specs);
        // The originals obey the rules: whole numbers in integer columns, one 1 per group.
        float[][] x = new float[rows.count()][];
        int[] labels = rows.labels().clone();
        for (int i = 0; i < x.length; i++) {
            float[] raw = rows.images()[i].clone();
            for (int j = 0; j < raw.length; j++) {
                if (specs.get(j).type == ModelSpec.FeatureType.INTEGER) {
                    raw[j] = (float) Math.min(Math.floor(Double.parseDouble(specs.get(j).max)),
                            Math.max(Math.ceil(Double.parseDouble(specs.get(j).min)), Math.rint(raw[j])));
                }
            }
            for (int g = 0; g < drawn.groups(); g++) {
                int one = random.nextInt(3);
                for (int k = 0; k < 3; k++) {
                    raw[20 + 3 * g + k] = k == one ? 1f : 0f;
                }
            }
            x[i] = rules.toAttack(raw);
        }
        Constraint constraint = new Constraint(norm, epsilon, 0f, 1f, rules);
        float[][] adv = run(attack, constraint, rules, x, labels, drawn.seed());

        for (int i = 0; i < x.length; i++) {
            assertThat(norm.distance(x[i], adv[i])).as("within epsilon").isLessThanOrEqualTo(epsilon + 1e-4);
            for (int j = 0; j < x[i].length; j++) {
                ModelSpec.FeatureSpec c = specs.get(j);
                assertThat(adv[i][j]).as("column %d in its range", j).isBetween(0f, 1f);
                if (Boolean.FALSE.equals(c.mutable)) {
                    assertThat(adv[i][j]).as("immutable column %d", j).isEqualTo(x[i][j]);
                }
                if (c.maxChange != null) {
                    assertThat(Math.abs(adv[i][j] - x[i][j])).as("column %d within its maxChange %s", j, c.maxChange)
                            .isLessThanOrEqualTo(Float.parseFloat(c.maxChange) + 1e-4f);
                }
                if (c.type == ModelSpec.FeatureType.INTEGER) {
                    double min = Double.parseDouble(c.min);
                    double raw = min + adv[i][j] * (Double.parseDouble(c.max) - min);
                    assertThat(Math.abs(raw - Math.rint(raw))).as("integer column %d holds %s", j, raw).isLessThan(1e-3);
                }
            }
            for (int g = 0; g < drawn.groups(); g++) {
                float[] group = java.util.Arrays.copyOfRange(adv[i], 20 + 3 * g, 23 + 3 * g);
                assertThat(group).as("one-hot group %d", g).containsOnly(0f, 1f);
                assertThat(group[0] + group[1] + group[2]).isEqualTo(1f);
            }
        }
    }

    private static float[][] run(Attack attack, Constraint constraint, FeatureRules rules, float[][] x, int[] labels, long seed)
            throws Exception {
        switch (attack) {
            case FGSM, PGD -> {
                try (NDManager m = model.newManager()) {
                    NDArray input = m.create(flatten(x), new Shape(x.length, x[0].length));
                    Pgd pgd = attack == Attack.FGSM ? Pgd.fgsm(constraint) : Pgd.standard(constraint, 10, 1);
                    float[] out = pgd.attack(new ScaledModel(model, rules), input, m.create(labels), false).toFloatArray();
                    float[][] adv = new float[x.length][];
                    for (int i = 0; i < x.length; i++) {
                        adv[i] = java.util.Arrays.copyOfRange(out, i * x[0].length, (i + 1) * x[0].length);
                    }
                    return adv;
                }
            }
            case HOPSKIPJUMP -> {
                return new HopSkipJump(constraint, 120, seed).run(new ScaledTarget(new LocalTarget(model, TabularModels.SHAPE), rules),
                        x, labels, false, null).adversarial();
            }
            default -> {
                return new NoiseAttack(constraint, seed).perturb(x);
            }
        }
    }

    private static float[] flatten(float[][] x) {
        float[] flat = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * x[0].length, x[0].length);
        }
        return flat;
    }
}
