package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runbook's marked containment commands can be found and filled in (ContainmentScenariosTest runs them). */
class RunbookCommandsTest {
    static final List<String> BLOCKS = List.of("action-block", "block-api-key", "block-cidr", "unblock", "rate-limit", "expected-sha");

    @Test
    void everyContainmentBlockIsAKubectlCommandForTheModelAndNamespace() throws Exception {
        String runbook = Files.readString(runbook());
        for (String name : BLOCKS) {
            String command = RunbookCommands.substitute(RunbookCommands.block(runbook, name), "fashion-classifier", "shop-7");
            assertThat(command).as(name).contains("kubectl ").contains("-n shop-7").contains("fashion-classifier")
                    .doesNotContainPattern("\\bM\\b").doesNotContainPattern("\\bns\\b").doesNotContain("```");
            assertThat(command.lines()).as(name + ": dedented").allSatisfy(l -> assertThat(l).doesNotStartWith("   kubectl"));
        }
        assertThat(RunbookCommands.substitute(RunbookCommands.block(runbook, "expected-sha"), "fc", "shop"))
                .isEqualTo("kubectl get configmap fc-detector -n shop -o jsonpath='{.data.detector\\.json}' | sha256sum | cut -c1-12");
    }

    /** docs/runbooks.md of this repository. */
    static Path runbook() {
        return io.robustml.controlplane.RepoRoot.find().resolve(RunbookCommands.RUNBOOK);
    }

    @Test
    void aMissingOrUnfencedMarkerIsAnError() {
        assertThatThrownBy(() -> RunbookCommands.block("text", "action-block")).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> RunbookCommands.block("<!-- containment:x -->\nkubectl get pods\n", "x"))
                .hasMessageContaining("```bash");
        assertThatThrownBy(() -> RunbookCommands.block("<!-- containment:x -->\n```bash\nkubectl get pods\n", "x"))
                .hasMessageContaining("not closed");
    }
}
