package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the API server treats our resources: status subresource, published docs, immutability. */
@WithControlPlane
class ApiServerContractTest {
    @BeforeEach
    void installCrds(KubernetesClient client) {
        ApiCrds.install(client);
    }

    private static RobustModel example(KubernetesClient client, TestNamespace ns) throws IOException {
        RobustModel m = client.resources(RobustModel.class).load(Files.newInputStream(Path.of("../examples/cpu-model.yaml"))).item();
        m.getMetadata().setNamespace(ns.name());
        return m;
    }

    @Test
    void statusCanOnlyBeWrittenThroughTheStatusSubresource(KubernetesClient client, TestNamespace ns) throws IOException {
        RobustModel m = example(client, ns);
        RobustModelStatus forged = new RobustModelStatus();
        forged.phase = "Ready";
        forged.stableRevision = "forged";
        m.setStatus(forged);
        RobustModel created = client.resource(m).create();
        assertThat(created.getStatus() == null ? null : created.getStatus().stableRevision)
                .as("status in a create is dropped").isNull();

        created.setStatus(forged);
        RobustModel updated = client.resource(created).update();
        assertThat(updated.getStatus() == null ? null : updated.getStatus().stableRevision)
                .as("status in a spec update is ignored").isNull();

        updated.setStatus(forged);
        RobustModel viaSubresource = client.resource(updated).updateStatus();
        assertThat(viaSubresource.getStatus().stableRevision).isEqualTo("forged");
        assertThat(viaSubresource.getMetadata().getGeneration()).as("status writes do not bump the generation")
                .isEqualTo(created.getMetadata().getGeneration());
    }

    @Test
    void publishesFieldDescriptionsInTheOpenApiDocument(KubernetesClient client) {
        // The API server publishes a new CRD's schema a few seconds after the CRD is Established.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() -> {
            String doc = client.raw("/openapi/v3/apis/robustml.io/v1alpha1");
            assertThat(doc).isNotNull()
                    .contains("What the model must withstand: attacker access and goal, and the attacks of the test suite.")
                    .contains("Lower-case hex SHA-256 of the model file")
                    .contains("io.robustml.v1alpha1.AdversarialTestRun");
        });
    }

    @Test
    void theSpecOfATestRunIsImmutable(KubernetesClient client, TestNamespace ns) {
        AdversarialTestRun run = new AdversarialTestRun();
        run.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("run-1")
                .withNamespace(ns.name()).build());
        AdversarialTestRunSpec spec = new AdversarialTestRunSpec();
        spec.target = new AdversarialTestRunSpec.Target();
        spec.target.model = "fashion-classifier";
        spec.target.revision = "abc123";
        spec.target.endpoint = "http://fashion-classifier-canary:8080";
        var attack = new io.robustml.crds.model.AttackSpec();
        attack.type = io.robustml.crds.model.AttackSpec.AttackType.PGD;
        attack.epsilon = "0.1";
        spec.attacks = java.util.List.of(attack);
        spec.dataset = new AdversarialTestRunSpec.Dataset();
        spec.dataset.uri = "file:///usr/share/datasets/fashion-mnist";
        run.setSpec(spec);
        AdversarialTestRun created = client.resource(run).create();

        created.getSpec().target.revision = "def456";
        assertThatThrownBy(() -> client.resource(created).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("immutable");
                });
    }
}
