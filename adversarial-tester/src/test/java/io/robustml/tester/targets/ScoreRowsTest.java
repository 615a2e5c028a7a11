package io.robustml.tester.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the tester makes of each output hardening (the sidecar's OutputHardening shapes). */
class ScoreRowsTest {

    @Test
    void allScoresAreRowsAsSent() {
        float[][] rows = ScoreRows.of(List.of(new ScoreRows.Output("output", "FP32", new float[] {1, 2, 3, 6, 5, 4})), 2, 3);
        assertThat(rows[0]).containsExactly(1, 2, 3);
        assertThat(new Target.Answer(rows, null).predictions()).containsExactly(2, 0);
    }

    @Test
    void topKPutsTheShownScoresAtTheirClassesAndTheRestBelowAll() {
        float[][] rows = ScoreRows.of(List.of(new ScoreRows.Output("output", "FP32", new float[] {0.7f, 0.2f, 0.9f, 0.05f}),
                new ScoreRows.Output("output_classes", "INT64", new float[] {3, 1, 0, 2})), 2, 4);
        assertThat(rows[0]).containsExactly(Float.NEGATIVE_INFINITY, 0.2f, Float.NEGATIVE_INFINITY, 0.7f);
        assertThat(new Target.Answer(rows, null).predictions()).containsExactly(3, 0);
    }

    @Test
    void aLabelAloneIsAOneHotRow() {
        float[][] rows = ScoreRows.of(List.of(new ScoreRows.Output("label", "INT64", new float[] {7, 2})), 2, 10);
        assertThat(rows[0]).hasSize(10);
        assertThat(new Target.Answer(rows, null).predictions()).containsExactly(7, 2);
        assertThat(ScoreRows.of(List.of(new ScoreRows.Output("label", "INT64", new float[] {4})), 1, 0)[0]).hasSize(5);
        assertThatThrownBy(() -> ScoreRows.of(List.of(new ScoreRows.Output("x", "INT64", new float[] {1, 2, 3})), 2, 0))
                .hasMessageContaining("expected 2 rows");
    }
}
