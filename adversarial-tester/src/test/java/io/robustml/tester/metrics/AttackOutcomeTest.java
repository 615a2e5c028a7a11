package io.robustml.tester.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AttackOutcomeTest {
    @Test
    void countsSuccessesOnlyOnOriginallyCorrectExamples() {
        int[] labels = {0, 1, 2, 3, 4};
        int[] clean = {0, 1, 2, 3, 9};        // 4 correct, example 4 already wrong
        int[] adversarial = {5, 1, 7, 3, 4};  // 2 flipped; example 4 "fixed" by the perturbation
        AttackOutcome o = AttackOutcome.of(labels, clean, adversarial);
        assertThat(o.successes()).isEqualTo(2);
        assertThat(o.adversarialSuccessRate()).isEqualTo(0.5);
        assertThat(o.cleanAccuracy()).isEqualTo(0.8);
        assertThat(o.robustAccuracy()).isEqualTo(0.6);
    }

    @Test
    void aModelThatIsAlwaysWrongHasNoSuccessesToCount() {
        AttackOutcome o = AttackOutcome.of(new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0});
        assertThat(o.adversarialSuccessRate()).isZero();
        assertThat(o.robustAccuracy()).isZero();
    }

    @Test
    void rejectsMismatchedLengths() {
        assertThatThrownBy(() -> AttackOutcome.of(new int[2], new int[2], new int[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
