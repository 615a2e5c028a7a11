package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controlplane.TestNamespace;
import io.robustml.controlplane.WithControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Wrong manifests are rejected by the real API server at apply time, naming the field. */
@WithControlPlane
class RobustModelValidationTest {
    static final Path EXAMPLE = Path.of("../examples/cpu-model.yaml");

    record InvalidCase(String name, Map<String, Object> set, List<String> remove, String expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void installCrds(KubernetesClient client) {
        ApiCrds.install(client);
    }

    static Stream<InvalidCase> invalidManifests() throws IOException {
        return cases("/invalid-manifests.yaml");
    }

    /** The cases of a table under src/test/resources: name, set (path -> value), remove (paths), expect. */
    @SuppressWarnings("unchecked")
    static Stream<InvalidCase> cases(String table) throws IOException {
        try (InputStream in = RobustModelValidationTest.class.getResourceAsStream(table)) {
            List<Map<String, Object>> cases = Serialization.unmarshal(in, List.class);
            return cases.stream().map(c -> new InvalidCase((String) c.get("name"),
                    (Map<String, Object>) c.getOrDefault("set", Map.of()),
                    (List<String>) c.getOrDefault("remove", List.of()), (String) c.get("expect")));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path manifest) throws IOException {
        return Serialization.unmarshal(Files.readString(manifest), Map.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidManifests")
    void rejectsWithTheFieldPath(InvalidCase c, KubernetesClient client, TestNamespace ns) throws IOException {
        assertRejectedWithTheFieldPath(EXAMPLE, c, client, ns);
    }

    /** The optional evaluation-fidelity fields, used together, are accepted (the CEL rules above refuse their misuse). */
    @org.junit.jupiter.api.Test
    void acceptsAReferenceSurrogateAndDatasetChecksums(KubernetesClient client, TestNamespace ns) throws IOException {
        Map<String, Object> manifest = load(EXAMPLE);
        String sha = "ab".repeat(32);
        ManifestPaths.set(manifest, "spec.threatModel.attacks[2]",
                Map.of("type", "transfer", "epsilon", "0.1", "surrogate", "reference"));
        ManifestPaths.set(manifest, "spec.threatModel.surrogateModel", Map.of("uri", "pvc://models/fashion-v1.pt", "sha256", sha));
        ManifestPaths.set(manifest, "spec.rollout.analysis.datasetChecksums", List.of(
                Map.of("file", "t10k-images-idx3-ubyte.gz", "sha256", sha),
                Map.of("file", "t10k-labels-idx1-ubyte.gz", "sha256", sha)));
        GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(manifest),
                GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns.name());
        GenericKubernetesResource created = client.resource(resource).create();
        assertThat(created.get("spec", "threatModel", "surrogateModel", "uri").toString()).isEqualTo("pvc://models/fashion-v1.pt");
        assertThat((List<?>) created.get("spec", "rollout", "analysis", "datasetChecksums")).hasSize(2);
    }

    /**
     * Files in stores: a pinned dataset in S3, a corpus and surrogate over https, and the model's credentials
     * Secret for them while the model itself is on a volume.
     */
    @org.junit.jupiter.api.Test
    void acceptsADatasetCorpusAndSurrogateInStoresWithTheModelsCredentials(KubernetesClient client, TestNamespace ns)
            throws IOException {
        Map<String, Object> manifest = load(EXAMPLE);
        String sha = "ab".repeat(32);
        ManifestPaths.set(manifest, "spec.threatModel.attacks[2]",
                Map.of("type", "transfer", "epsilon", "0.1", "surrogate", "reference"));
        ManifestPaths.set(manifest, "spec.model.credentials", Map.of("secretRef", "stores"));
        ManifestPaths.set(manifest, "spec.rollout.analysis.dataset", "s3://eval-data/fashion/test.npz");
        ManifestPaths.set(manifest, "spec.rollout.analysis.datasetChecksums", List.of(Map.of("file", "test.npz", "sha256", sha)));
        ManifestPaths.set(manifest, "spec.threatModel.corpus", Map.of("uri", "https://data.example/corpus/v3.jsonl", "sha256", sha));
        ManifestPaths.set(manifest, "spec.threatModel.surrogateModel", Map.of("uri", "https://data.example/m/v1.pt", "sha256", sha));
        GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(manifest),
                GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns.name());
        GenericKubernetesResource created = client.resource(resource).create();
        assertThat(created.get("spec", "rollout", "analysis", "dataset").toString()).isEqualTo("s3://eval-data/fashion/test.npz");
        assertThat(created.get("spec", "model", "credentials", "secretRef").toString()).isEqualTo("stores");
    }

    /** Certification with its SLO at one of its radii ("0.50" is "0.5") is accepted, and the API server fills its defaults. */
    @org.junit.jupiter.api.Test
    void acceptsCertificationWithItsSlo(KubernetesClient client, TestNamespace ns) throws IOException {
        Map<String, Object> manifest = load(EXAMPLE);
        ManifestPaths.set(manifest, "spec.threatModel.certification", Map.of("sigma", "0.25", "radii", List.of("0.25", "0.5")));
        ManifestPaths.set(manifest, "spec.slos.minCertifiedAccuracy", Map.of("radius", "0.50", "accuracy", "0.4"));
        GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(manifest),
                GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns.name());
        GenericKubernetesResource created = client.resource(resource).create();
        assertThat(created.get("spec", "threatModel", "certification", "n").toString()).isEqualTo("1000");
        assertThat(created.get("spec", "threatModel", "certification", "n0").toString()).isEqualTo("100");
        assertThat(created.get("spec", "threatModel", "certification", "alpha").toString()).isEqualTo("0.001");
        assertThat(created.get("spec", "threatModel", "certification", "samples").toString()).isEqualTo("100");
    }

    /** A guard with its own windows is accepted, and the API server fills its defaults. */
    @org.junit.jupiter.api.Test
    void acceptsAGuardAndFillsItsDefaults(KubernetesClient client, TestNamespace ns) throws IOException {
        Map<String, Object> manifest = load(EXAMPLE);
        ManifestPaths.set(manifest, "spec.rollout.guard", Map.of("windows", List.of(Map.of("long", "20s", "short", "5s",
                "factor", "2"))));
        GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(manifest),
                GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns.name());
        GenericKubernetesResource created = client.resource(resource).create();
        assertThat(created.get("spec", "rollout", "guard", "action").toString()).isEqualTo("alert");
        assertThat(created.get("spec", "rollout", "guard", "minRequests").toString()).isEqualTo("100");
        assertThat((List<?>) created.get("spec", "rollout", "guard", "windows")).hasSize(1);
    }

    /** Schedules a CronJob accepts are accepted (the API server's regular expressions are Go's). */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"*/5 * * * *", "0 3 * * *", "@daily", "@hourly",
            "0 0 1 JAN-MAR *", "30 2 * * mon-fri", "0,30 8-18/2 1,15 */3 7", "00 03 * * 0-6/2"})
    void acceptsCronJobSchedules(String schedule, KubernetesClient client, TestNamespace ns) throws IOException {
        Map<String, Object> manifest = load(EXAMPLE);
        ManifestPaths.set(manifest, "spec.rollout.rescan", Map.of("schedule", schedule));
        GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(manifest),
                GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns.name());
        resource.getMetadata().setName("schedule-" + Integer.toHexString(schedule.hashCode()));
        assertThat(client.resource(resource).create().get("spec", "rollout", "rescan", "schedule").toString()).isEqualTo(schedule);
    }

    /**
     * The valid manifest with the case's change is rejected at create time (422) naming the expected field
     * path, and the valid manifest itself is accepted: the case tests exactly one thing.
     */
    static void assertRejectedWithTheFieldPath(Path validManifest, InvalidCase c, KubernetesClient client, TestNamespace ns)
            throws IOException {
        Map<String, Object> manifest = load(validManifest);
        c.set().forEach((path, value) -> ManifestPaths.set(manifest, path, value));
        c.remove().forEach(path -> ManifestPaths.remove(manifest, path));
        GenericKubernetesResource resource = Serialization.unmarshal(Serialization.asJson(manifest),
                GenericKubernetesResource.class);
        resource.getMetadata().setNamespace(ns.name());

        assertThatThrownBy(() -> client.resource(resource).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
                    assertThat(e.getMessage()).contains(c.expect());
                });
        GenericKubernetesResource valid = Serialization.unmarshal(Serialization.asJson(load(validManifest)),
                GenericKubernetesResource.class);
        valid.getMetadata().setNamespace(ns.name());
        assertThat(client.resource(valid).create().getMetadata().getUid()).isNotBlank();
    }
}
