package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.robustml.controlplane.LocalControlPlane;
import io.robustml.controlplane.WithControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The developer-facing commands of scripts/cluster describe the running control plane truthfully. */
@WithControlPlane
class ClusterScriptTest {
    private static String run(LocalControlPlane plane, String verb) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(plane.repoRoot().resolve("scripts/cluster").toString(), verb)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void statusReportsEveryComponentRunningAndTheApiReady(LocalControlPlane plane) throws Exception {
        String status = run(plane, "status");
        for (String component : new String[] {"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}) {
            assertThat(status).contains(component + ": running (pid ");
        }
        assertThat(status).contains("api: ready at https://127.0.0.1:");
    }

    @Test
    void envExportsTheKubeconfigTheTestsUse(LocalControlPlane plane) throws Exception {
        assertThat(run(plane, "env")).contains("export KUBECONFIG=" + plane.kubeconfig());
    }
}
