package io.robustml.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/api-reference.md is generated from the CRDs (every field, type, default and rule), so it
 * cannot drift from the API. Refresh with {@code ./mvnw -pl crds verify -Drobustml.crds.update=true}.
 */
class ApiReferenceIsCurrentTest {
    private static final Path REFERENCE = Path.of("../docs/api-reference.md");

    @Test
    void referenceMatchesTheCrds() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# API reference (generated)\n\n")
                .append("Generated from `crds/generated/` by `ApiReferenceIsCurrentTest`; do not edit. ")
                .append("Refresh: `./mvnw -pl crds verify -Drobustml.crds.update=true`. ")
                .append("Decimal values are strings (e.g. `\"0.05\"`); see docs/api.md for the guide.\n");
        for (String crd : List.of("robustmodels.robustml.io-v1.yml", "adversarialtestruns.robustml.io-v1.yml")) {
            describe(load(crd), md);
        }
        String generated = md.toString();
        if (Boolean.getBoolean("robustml.crds.update")) {
            Files.writeString(REFERENCE, generated);
        }
        assertThat(Files.readString(REFERENCE))
                .as("docs/api-reference.md is stale; refresh with ./mvnw -pl crds verify -Drobustml.crds.update=true")
                .isEqualTo(generated);
    }

    private static CustomResourceDefinition load(String file) throws IOException {
        try (InputStream in = ApiReferenceIsCurrentTest.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    private static void describe(CustomResourceDefinition crd, StringBuilder md) {
        var names = crd.getSpec().getNames();
        var version = crd.getSpec().getVersions().get(0);
        md.append("\n## ").append(names.getKind()).append("\n\n`").append(crd.getSpec().getGroup()).append('/')
                .append(version.getName()).append("`, namespaced, short name `")
                .append(String.join("`, `", names.getShortNames())).append("`, category `")
                .append(String.join("`, `", names.getCategories())).append("`.\n\n")
                .append("| field | type | required | default | validation | description |\n")
                .append("|---|---|---|---|---|---|\n");
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        for (String part : List.of("spec", "status")) {
            JSONSchemaProps schema = root.getProperties().get(part);
            if (schema != null) {
                rows(part, schema, false, md);
            }
        }
    }

    private static void rows(String path, JSONSchemaProps schema, boolean required, StringBuilder md) {
        md.append("| `").append(path).append("` | ").append(type(schema)).append(" | ").append(required ? "yes" : "")
                .append(" | ").append(schema.getDefault() == null ? "" : "`" + Serialization.asJson(schema.getDefault()) + "`")
                .append(" | ").append(cell(String.join("; ", validation(schema)))).append(" | ")
                .append(cell(schema.getDescription())).append(" |\n");
        JSONSchemaProps element = schema.getItems() == null ? null : schema.getItems().getSchema();
        JSONSchemaProps object = element != null ? element : schema;
        if (object.getProperties() != null && !isKubernetesType(path)) {
            List<String> req = object.getRequired() == null ? List.of() : object.getRequired();
            for (Map.Entry<String, JSONSchemaProps> e : new java.util.TreeMap<>(object.getProperties()).entrySet()) {
                rows(path + (element != null ? "[]." : ".") + e.getKey(), e.getValue(), req.contains(e.getKey()), md);
            }
        }
    }

    /** Kubernetes core types (resources, tolerations, conditions) are documented upstream. */
    private static boolean isKubernetesType(String path) {
        return path.endsWith(".resources") || path.endsWith(".tolerations") || path.endsWith(".conditions");
    }

    private static String type(JSONSchemaProps s) {
        if ("array".equals(s.getType()) && s.getItems() != null && s.getItems().getSchema() != null) {
            return type(s.getItems().getSchema()) + "[]";
        }
        if (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
            return "map[string]" + type(s.getAdditionalProperties().getSchema());
        }
        return s.getType() == null ? "any" : s.getType();
    }

    private static List<String> validation(JSONSchemaProps s) {
        List<String> v = new ArrayList<>();
        if (s.getEnum() != null && !s.getEnum().isEmpty()) {
            v.add("one of " + String.join(", ", s.getEnum().stream().map(e -> "`" + e.asText() + "`").toList()));
        }
        if (s.getPattern() != null) {
            v.add("pattern `" + s.getPattern() + "`");
        }
        if (s.getMinimum() != null) {
            v.add("≥ " + s.getMinimum().longValue());
        }
        if (s.getMaximum() != null) {
            v.add("≤ " + s.getMaximum().longValue());
        }
        if (s.getMinItems() != null) {
            v.add("at least " + s.getMinItems() + " items");
        }
        if (s.getMaxItems() != null) {
            v.add("at most " + s.getMaxItems() + " items");
        }
        if (s.getMaxLength() != null) {
            v.add("at most " + s.getMaxLength() + " characters");
        }
        if (s.getXKubernetesValidations() != null) {
            for (ValidationRule r : s.getXKubernetesValidations()) {
                v.add("rule: " + r.getMessage());
            }
        }
        return v;
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
