package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML generated from the API classes is checked in (crds/generated/) so that the Helm chart,
 * Argo CD and reviewers see the API without building it. This test fails when the two drift apart;
 * refresh the checked-in copy with {@code ./mvnw -pl crds verify -Drobustml.crds.update=true}.
 */
class GeneratedCrdIsCheckedInTest {
    private static final String CRD = "robustmodels.robustml.io-v1.yml";

    @ParameterizedTest
    @ValueSource(strings = {CRD, "adversarialtestruns.robustml.io-v1.yml"})
    void checkedInCrdMatchesTheGeneratedOne(String file) throws IOException {
        String generated;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/" + file)) {
            assertThat(in).as("the build generates " + file).isNotNull();
            generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path checkedIn = Path.of("generated", file);
        if (Boolean.getBoolean("robustml.crds.update")) {
            Files.createDirectories(checkedIn.getParent());
            Files.writeString(checkedIn, generated);
        }
        assertThat(checkedIn).as("checked-in CRD (refresh: ./mvnw -pl crds verify -Drobustml.crds.update=true)")
                .exists();
        assertThat(Files.readString(checkedIn))
                .as("crds/generated/%s is stale; refresh it with ./mvnw -pl crds verify -Drobustml.crds.update=true", file)
                .isEqualTo(generated);
    }

    @Test
    void generatedCrdDeclaresTheApiGroupVersionShortNameAndStatusSubresource() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/fabric8/" + CRD)) {
            CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
            assertThat(crd.getSpec().getGroup()).isEqualTo("robustml.io");
            assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
            assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("rm");
            assertThat(crd.getSpec().getNames().getCategories()).containsExactly("robustml");
            var version = crd.getSpec().getVersions().get(0);
            assertThat(version.getName()).isEqualTo("v1alpha1");
            assertThat(version.getSubresources().getStatus()).isNotNull();
            var model = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties().get("model");
            assertThat(model.getRequired()).contains("uri", "sha256");
            assertThat(model.getProperties().get("sha256").getPattern()).isEqualTo("^[a-f0-9]{64}$");
        }
    }
}
