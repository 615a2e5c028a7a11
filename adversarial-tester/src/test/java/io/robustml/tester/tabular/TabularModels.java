package io.robustml.tester.tabular;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.crds.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tabular reference models and their data (model-server/models, written by train_tabular.py). */
final class TabularModels {
    static final Path MODELS = Path.of("../model-server/models");
    static final Path DATA = MODELS.resolve("breast-cancer.npz");
    static final long[] SHAPE = {30};

    private TabularModels() {
    }

    /** The 30 columns as tabular-metrics.json records them: name and range, continuous and mutable. */
    static List<ModelSpec.FeatureSpec> columns() throws IOException {
        JsonNode metrics = new ObjectMapper().readTree(MODELS.resolve("tabular-metrics.json").toFile());
        List<ModelSpec.FeatureSpec> columns = new ArrayList<>();
        for (JsonNode c : metrics.get("columns")) {
            ModelSpec.FeatureSpec f = new ModelSpec.FeatureSpec();
            f.name = c.get("name").asText();
            f.min = c.get("min").asText();
            f.max = c.get("max").asText();
            columns.add(f);
        }
        return columns;
    }

    static double metric(String model, String name) throws IOException {
        return new ObjectMapper().readTree(MODELS.resolve("tabular-metrics.json").toFile()).get(model).get(name).asDouble();
    }
}
