package io.robustml.tester.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.robustml.crds.model.AttackSpec.AttackType;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Norm;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: every attack type the API offers is run by its one class, and extraction is no evasion attack. */
class EvasionAttacksTest {
    @Test
    void everyEvasionTypeHasItsClassAndExtractionNone() {
        Map<AttackType, Class<?>> expected = Map.of(AttackType.FGSM, EvasionAttacks.Gradient.class, AttackType.PGD,
                EvasionAttacks.Gradient.class, AttackType.TRANSFER, EvasionAttacks.Gradient.class, AttackType.HOPSKIPJUMP,
                EvasionAttacks.DecisionBased.class, AttackType.SQUARE, EvasionAttacks.ScoreBased.class, AttackType.NOISE,
                EvasionAttacks.Noise.class);
        Constraint c = Constraint.unitRange(Norm.LINF, 0.1f);
        for (AttackType type : AttackType.values()) {
            AttackPlan plan = new AttackPlan(type, Norm.LINF, 0.1f, 20, 0, 100, false);
            if (type == AttackType.EXTRACTION) {
                assertThatThrownBy(() -> EvasionAttacks.of(plan, c, null)).hasMessageContaining("not an evasion attack");
            } else {
                assertThat(EvasionAttacks.of(plan, c, null)).as(type.name()).isInstanceOf(expected.get(type));
            }
        }
    }
}
