package io.robustml.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.RobustModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The manifests users copy (the demo's among them) are accepted by the real API server with our CRD. */
@WithControlPlane
class ExampleManifestsTest {
    @BeforeEach
    void installCrd(KubernetesClient client) {
        CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
    }

    @Test
    void everyExampleIsAcceptedByTheApiServer(KubernetesClient client, TestNamespace ns) throws IOException {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            var examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(examples).isNotEmpty();
            for (Path example : examples) {
                RobustModel model = client.resources(RobustModel.class).load(example.toFile()).item();
                model.getMetadata().setNamespace(ns.name());
                RobustModel stored = client.resource(model).create();
                assertThat(stored.getMetadata().getUid()).as(example.toString()).isNotBlank();
            }
        }
    }

    @Test
    void theApiServerRejectsADigestThatIsNotSha256(KubernetesClient client, TestNamespace ns) throws IOException {
        RobustModel model = client.resources(RobustModel.class)
                .load(Path.of("examples/fashion-classifier.yaml").toFile()).item();
        model.getMetadata().setNamespace(ns.name());
        model.getSpec().getModel().setSha256("not-a-digest");
        assertThatThrownBy(() -> client.resource(model).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.model.sha256");
                });
    }
}
