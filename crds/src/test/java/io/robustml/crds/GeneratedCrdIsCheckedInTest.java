package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML generated from the API classes is checked in (crds/generated/) so that the Helm chart,
 * Argo CD and reviewers see the API without building it. This test fails when the two drift apart;
 * refresh the checked-in copy with {@code ./mvnw -pl crds verify -Drobustml.crds.update=true}.
 */
class GeneratedCrdIsCheckedInTest {
    private static final String CRD = "robustmodels.robustml.io-v1.yml";
    private static final String RUN_CRD = "adversarialtestruns.robustml.io-v1.yml";

    private static CustomResourceDefinition load(String file) throws IOException {
        try (InputStream in = GeneratedCrdIsCheckedInTest.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
            assertThat(in).as("the build generates " + file).isNotNull();
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {CRD, RUN_CRD})
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

    /**
     * kubectl shows printer columns in the CRD's order. The fabric8 generator sorts them by JSON path (Age
     * first); the build's CrdPostProcessor restores the declared order in the CRD used at runtime
     * (target/classes) and so in the checked-in copy.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "robustmodels.robustml.io-v1.yml; Phase,Stable,Canary,ASR,Ready,Age",
        "adversarialtestruns.robustml.io-v1.yml; Target,Revision,Phase,ASR,Verdict,Age"})
    void printerColumnsAreInTheDeclaredOrder(String file, String columns) throws IOException {
        var version = load(file).getSpec().getVersions().get(0);
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .containsExactly(columns.split(","));
    }

    /** kubectl explain documents every field of ours; Kubernetes types (resources, tolerations, conditions) are upstream's. */
    @ParameterizedTest
    @ValueSource(strings = {CRD, RUN_CRD})
    void everyFieldIsDescribed(String file) throws IOException {
        JSONSchemaProps root = load(file).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        List<String> undescribed = new ArrayList<>();
        for (String part : List.of("spec", "status")) {
            undescribedFields(part, root.getProperties().get(part), undescribed);
        }
        assertThat(undescribed).as("fields without a description in " + file).isEmpty();
    }

    private static void undescribedFields(String path, JSONSchemaProps schema, List<String> undescribed) {
        if (path.endsWith(".resources") || path.endsWith(".tolerations") || path.endsWith(".conditions")) {
            return;
        }
        boolean object = schema.getProperties() != null && !schema.getProperties().isEmpty();
        boolean field = !path.endsWith("[]") && !path.endsWith("{}");
        if ((field || object) && (schema.getDescription() == null || schema.getDescription().isBlank())) {
            undescribed.add(path);
        }
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, p) -> undescribedFields(path + "." + name, p, undescribed));
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            undescribedFields(path + "[]", schema.getItems().getSchema(), undescribed);
        }
        if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
            undescribedFields(path + "{}", schema.getAdditionalProperties().getSchema(), undescribed);
        }
    }

    /** The schema bounds status.history exactly as the operator does, so a status write can never exceed it. */
    @Test
    void historyIsBoundedAsTheOperatorKeepsIt() throws IOException {
        JSONSchemaProps history = load(CRD).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
                .getProperties().get("status").getProperties().get("history");
        assertThat(history.getMaxItems()).isEqualTo((long) io.robustml.crds.model.RobustModelStatus.HISTORY_LIMIT)
                .isEqualTo(10L);
    }
}
