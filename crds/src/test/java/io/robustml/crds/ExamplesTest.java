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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifests users copy are accepted by the real API server and read back as written. */
@WithControlPlane
class ExamplesTest {
    @BeforeEach
    void installCrds(KubernetesClient client) {
        ApiCrds.install(client);
    }

    static Stream<Path> examples() throws IOException {
        List<Path> files;
        // Every RobustModel under examples/, sub-folders (examples/local-cluster/) included.
        try (Stream<Path> s = Files.walk(Path.of("../examples"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).filter(ExamplesTest::isRobustModel).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        return files.stream();
    }

    private static boolean isRobustModel(Path file) {
        try {
            return Files.readString(file).lines().anyMatch(l -> l.equals("kind: RobustModel"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static GenericKubernetesResource load(Path file, String namespace) throws IOException {
        GenericKubernetesResource r = Serialization.unmarshal(Files.readString(file), GenericKubernetesResource.class);
        r.getMetadata().setNamespace(namespace);
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void isAcceptedByCreateAndReadsBackUnchangedApartFromDefaults(Path file, KubernetesClient client,
            TestNamespace ns) throws IOException {
        GenericKubernetesResource written = load(file, ns.name());
        GenericKubernetesResource stored = client.resource(written).create();
        assertContainsEverythingWritten(written.getAdditionalProperties().get("spec"),
                stored.getAdditionalProperties().get("spec"), "spec");
        // Typed round trip: the Java API classes read every field of the example.
        RobustModel typed = client.resources(RobustModel.class).inNamespace(ns.name())
                .withName(written.getMetadata().getName()).get();
        assertThat(typed.getSpec().model.sha256).isEqualTo(((Map<?, ?>) ((Map<?, ?>) written
                .getAdditionalProperties().get("spec")).get("model")).get("sha256"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void isAcceptedByServerSideApply(Path file, KubernetesClient client, TestNamespace ns) throws IOException {
        GenericKubernetesResource written = load(file, ns.name());
        GenericKubernetesResource stored = client.resource(written).fieldManager("argocd-controller")
                .forceConflicts().serverSideApply();
        assertContainsEverythingWritten(written.getAdditionalProperties().get("spec"),
                stored.getAdditionalProperties().get("spec"), "spec");
        // Applying the same manifest again changes nothing (GitOps sync loops stay quiet).
        GenericKubernetesResource again = client.resource(load(file, ns.name())).fieldManager("argocd-controller")
                .forceConflicts().serverSideApply();
        assertThat(again.getMetadata().getGeneration()).isEqualTo(stored.getMetadata().getGeneration());
    }

    @Test
    void fillsSchemaDefaults(KubernetesClient client, TestNamespace ns) throws IOException {
        client.resource(load(Path.of("../examples/mig-model.yaml"), ns.name())).create();
        RobustModel m = client.resources(RobustModel.class).inNamespace(ns.name()).withName("fashion-mig").get();
        assertThat(m.getSpec().serving.runtime).isEqualTo(io.robustml.crds.model.ServingSpec.Runtime.DJL);
        assertThat(m.getSpec().model.input.range.min).isEqualTo("0");
        assertThat(m.getSpec().model.input.range.max).isEqualTo("1");
        assertThat(m.getSpec().threatModel.access).isEqualTo(io.robustml.crds.model.ThreatModelSpec.Access.BLACKBOX);
        assertThat(m.getSpec().rollout.analysis.samples).isEqualTo(500);
        assertThat(m.getSpec().rollout.autoRollback).isTrue();
        assertThat(m.getSpec().rollout.rollbackWindow).isEqualTo("168h");
    }

    @Test
    void anUnquotedAllDigitDigestIsRejectedNotMisread(KubernetesClient client, TestNamespace ns) throws IOException {
        String yaml = Files.readString(Path.of("../examples/mig-model.yaml"))
                .replaceAll("sha256: \"[0-9a-f]+\"", "sha256: " + "1".repeat(64));
        GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        r.getMetadata().setNamespace(ns.name());
        assertThatThrownBy(() -> client.resource(r).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.model.sha256");
                });
    }

    /** Every value written appears unchanged in what the server stored (which may add defaults). */
    @SuppressWarnings("unchecked")
    static void assertContainsEverythingWritten(Object written, Object stored, String path) {
        if (written instanceof Map<?, ?> w) {
            assertThat(stored).as(path).isInstanceOf(Map.class);
            Map<String, Object> s = (Map<String, Object>) stored;
            w.forEach((k, v) -> assertContainsEverythingWritten(v, s.get(k), path + "." + k));
        } else if (written instanceof List<?> w) {
            assertThat(stored).as(path).isInstanceOf(List.class);
            List<Object> s = (List<Object>) stored;
            assertThat(s).as(path).hasSameSizeAs(w);
            for (int i = 0; i < w.size(); i++) {
                assertContainsEverythingWritten(w.get(i), s.get(i), path + "[" + i + "]");
            }
        } else {
            assertThat(String.valueOf(stored)).as(path).isEqualTo(String.valueOf(written));
        }
    }
}
