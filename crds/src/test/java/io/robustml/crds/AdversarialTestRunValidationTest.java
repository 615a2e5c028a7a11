package io.robustml.crds;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModelValidationTest.InvalidCase;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wrong AdversarialTestRuns are rejected by the real API server, naming the field: the operator creates
 * runs, but a hand-written run (or an operator bug) must fail the same way a wrong RobustModel does.
 */
@WithControlPlane
class AdversarialTestRunValidationTest {
    static final Path VALID_RUN = Path.of("src/test/resources/valid-test-run.yaml");

    @BeforeEach
    void installCrds(KubernetesClient client) {
        ApiCrds.install(client);
    }

    static Stream<InvalidCase> invalidTestRuns() throws IOException {
        return RobustModelValidationTest.cases("/invalid-test-runs.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTestRuns")
    void rejectsWithTheFieldPath(InvalidCase c, KubernetesClient client, TestNamespace ns) throws IOException {
        RobustModelValidationTest.assertRejectedWithTheFieldPath(VALID_RUN, c, client, ns);
    }
}
