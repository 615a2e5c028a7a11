package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.run.AdversarialTestRunSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

    /** kubectl get asks the server for a Table; its columns come in the CRD's order (Age last, not first). */
    @Test
    void kubectlGetShowsTheColumnsInTheDeclaredOrder(KubernetesClient client, TestNamespace ns) throws Exception {
        client.resource(example(client, ns)).create();
        assertThat(tableColumns(client, ns, "robustmodels")).containsExactly("Name", "Phase", "Stable", "Canary", "ASR",
                "Ready", "Age");
        assertThat(tableColumns(client, ns, "adversarialtestruns")).containsExactly("Name", "Target", "Revision", "Phase",
                "ASR", "Verdict", "Age");
    }

    @SuppressWarnings("unchecked")
    private static List<String> tableColumns(KubernetesClient client, TestNamespace ns, String plural) throws Exception {
        HttpClient http = client.getHttpClient();
        var request = http.newHttpRequestBuilder()
                .uri(new java.net.URL(client.getMasterUrl(), "apis/robustml.io/v1alpha1/namespaces/" + ns.name() + "/" + plural)
                        .toString())
                .setHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
                .build();
        HttpResponse<String> response = http.sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
        assertThat(response.code()).as(response.body()).isEqualTo(200);
        Map<String, Object> table = Serialization.unmarshal(response.body(), Map.class);
        assertThat(table.get("kind")).isEqualTo("Table");
        return ((List<Map<String, Object>>) table.get("columnDefinitions")).stream().map(c -> (String) c.get("name")).toList();
    }

    /** The status schema bounds the history as the operator does: an eleventh record is refused. */
    @Test
    void statusHistoryHoldsAtMostTenRecords(KubernetesClient client, TestNamespace ns) throws IOException {
        RobustModel created = client.resource(example(client, ns)).create();
        RobustModelStatus status = new RobustModelStatus();
        status.history = new ArrayList<>();
        for (int i = 0; i < RobustModelStatus.HISTORY_LIMIT; i++) {
            RobustModelStatus.RevisionRecord r = new RobustModelStatus.RevisionRecord();
            r.revision = "rev" + i;
            r.verdict = "Passed";
            status.history.add(r);
        }
        created.setStatus(status);
        RobustModel withTen = client.resource(created).updateStatus();
        assertThat(withTen.getStatus().history).hasSize(10);

        RobustModelStatus.RevisionRecord eleventh = new RobustModelStatus.RevisionRecord();
        eleventh.revision = "rev10";
        eleventh.verdict = "Failed";
        withTen.getStatus().history.add(0, eleventh);
        assertThatThrownBy(() -> client.resource(withTen).updateStatus())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("status.history");
                });
    }
}
