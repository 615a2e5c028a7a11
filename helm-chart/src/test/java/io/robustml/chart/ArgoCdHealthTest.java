package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controlplane.ArgoCdVm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Argo CD health check (argocd/health.lua) over argocd/health_test.yaml, Argo CD's own test layout,
 * run by Argo CD's own Lua VM ({@link ArgoCdVm}) as Argo CD runs a check installed through argocd-cm:
 * without useOpenLibs, so a call into string, table or math fails here as it would there. The same VM
 * judges the objects the operator wrote in the real-node scenarios (RealClusterScenariosTest).
 */
class ArgoCdHealthTest {
    private static final Path DIR = Chart.DIR.resolve("argocd");

    @Test
    @SuppressWarnings("unchecked")
    void reportsTheExpectedHealthForEveryCase() throws IOException {
        Map<String, Object> suite = Serialization.unmarshal(Files.readString(DIR.resolve("health_test.yaml")), Map.class);
        List<Map<String, Object>> cases = (List<Map<String, Object>>) suite.get("tests");
        List<ArgoCdVm.Health> results = ArgoCdVm.health(DIR.resolve("health.lua"),
                cases.stream().map(c -> DIR.resolve((String) c.get("inputPath"))).toList());
        assertThat(results).hasSameSizeAs(cases);
        for (int i = 0; i < cases.size(); i++) {
            Map<String, Object> expected = (Map<String, Object>) cases.get(i).get("healthStatus");
            ArgoCdVm.Health h = results.get(i);
            assertThat(h.error()).as(h.file().toString()).isNull();
            assertThat(h.status()).as(h.file().toString()).isEqualTo(expected.get("status"));
            assertThat(h.message()).as(h.file().toString()).isEqualTo(expected.get("message"));
        }
    }

    @Test
    void aCheckThatCallsTheStringLibraryFailsAsInArgoCd() throws IOException {
        Path script = Path.of("target/argocd-open-libs.lua");
        Files.createDirectories(script.getParent());
        Files.writeString(script, "return {status = \"Healthy\", message = string.format(\"%d\", 1)}\n");
        ArgoCdVm.Health h = ArgoCdVm.health(script, List.of(DIR.resolve("testdata/healthy.yaml"))).get(0);
        assertThat(h.status()).isNull();
        assertThat(h.error()).contains("string");
    }
}
