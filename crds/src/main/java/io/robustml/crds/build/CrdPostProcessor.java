package io.robustml.crds.build;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Build step (run by the crds module's pom in {@code process-classes}, right after the fabric8 CRD
 * generator) that fixes two things the generator cannot be told:
 * <ul>
 * <li><b>Printer column order.</b> The generator sorts {@code additionalPrinterColumns} by JSON path,
 * which makes {@code kubectl get rm} show Age first. The columns are put back in the order the
 * {@link AdditionalPrinterColumn} annotations are declared on the resource class.</li>
 * <li><b>Descriptions of objects that are not fields.</b> The generator describes a schema only from
 * the {@code @JsonPropertyDescription} of the field that holds it, so the top-level {@code spec} and
 * {@code status} (fields of fabric8's {@link CustomResource}) and the items of lists of objects have
 * none. Such a schema takes the {@link JsonClassDescription} of its Java class.</li>
 * </ul>
 * The file is rewritten with the generator's own serializer and header, so it differs from what the
 * generator wrote only by these changes. Not used at runtime.
 *
 * <p>Arguments: the directory holding the generated {@code <crd name>-v1.yml} files, then the resource
 * classes.
 */
public final class CrdPostProcessor {
    private CrdPostProcessor() {
    }

    public static void main(String[] args) throws IOException, ClassNotFoundException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: CrdPostProcessor <dir with generated CRDs> <resource class>...");
        }
        Path dir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            Class<?> resource = Class.forName(args[i]);
            Path file = dir.resolve(CustomResource.getCRDName(resource) + "-v1.yml");
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("the CRD generator wrote no " + file + " for " + resource.getName());
            }
            Files.writeString(file, process(Files.readString(file), resource), StandardCharsets.UTF_8);
        }
    }

    /** The generated CRD YAML with columns ordered and object descriptions filled in. */
    public static String process(String generatedYaml, Class<?> resource) {
        CustomResourceDefinition crd = Serialization.unmarshal(generatedYaml, CustomResourceDefinition.class);
        for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            orderPrinterColumns(version, resource);
            JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
            Type[] specAndStatus = specAndStatusTypes(resource);
            describe(root.getProperties().get("spec"), specAndStatus[0]);
            describe(root.getProperties().get("status"), specAndStatus[1]);
        }
        String header = generatedYaml.startsWith("#") ? generatedYaml.substring(0, generatedYaml.indexOf('\n') + 1) : "";
        String yaml = Serialization.asYaml(crd);
        return header + (yaml.startsWith("---\n") ? yaml.substring(4) : yaml);
    }

    /** Columns in the order of the class's annotations; any other column keeps its place after them. */
    static void orderPrinterColumns(CustomResourceDefinitionVersion version, Class<?> resource) {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns == null || columns.isEmpty()) {
            return;
        }
        List<String> declared = new ArrayList<>();
        for (AdditionalPrinterColumn c : resource.getAnnotationsByType(AdditionalPrinterColumn.class)) {
            declared.add(c.name());
        }
        List<CustomResourceColumnDefinition> ordered = new ArrayList<>(columns);
        ordered.sort(Comparator.comparingInt(c -> {
            int i = declared.indexOf(c.getName());
            return i < 0 ? declared.size() : i;
        }));
        version.setAdditionalPrinterColumns(ordered);
    }

    private static Type[] specAndStatusTypes(Class<?> resource) {
        for (Class<?> c = resource; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getGenericSuperclass() instanceof ParameterizedType p && p.getRawType() == CustomResource.class) {
                return p.getActualTypeArguments();
            }
        }
        throw new IllegalArgumentException(resource.getName() + " does not extend CustomResource<Spec, Status>");
    }

    /** Walks the schema along the Java type, describing undescribed objects by their class. */
    static void describe(JSONSchemaProps schema, Type type) {
        if (schema == null || type == null) {
            return;
        }
        Class<?> raw = raw(type);
        if (raw == null) {
            return;
        }
        if (Collection.class.isAssignableFrom(raw)) {
            if (schema.getItems() != null) {
                describe(schema.getItems().getSchema(), typeArgument(type, 0));
            }
            return;
        }
        if (Map.class.isAssignableFrom(raw)) {
            if (schema.getAdditionalProperties() != null) {
                describe(schema.getAdditionalProperties().getSchema(), typeArgument(type, 1));
            }
            return;
        }
        if (!raw.getName().startsWith("io.robustml.")) {
            return; // Kubernetes and JDK types are documented upstream
        }
        JsonClassDescription own = raw.getAnnotation(JsonClassDescription.class);
        if (schema.getDescription() == null && own != null) {
            schema.setDescription(own.value());
        }
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, property) -> field(raw, name)
                    .ifPresent(f -> describe(property, f.getGenericType())));
        }
    }

    private static Optional<Field> field(Class<?> type, String jsonName) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                JsonProperty p = f.getAnnotation(JsonProperty.class);
                String name = p != null && !p.value().isEmpty() ? p.value() : f.getName();
                if (name.equals(jsonName)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            return p.getActualTypeArguments()[index];
        }
        return null;
    }
}
