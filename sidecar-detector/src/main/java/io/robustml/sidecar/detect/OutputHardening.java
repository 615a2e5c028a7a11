package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * spec.detector.outputHardening applied to an Open Inference Protocol answer: score outputs (floating
 * point, shape [n, classes]) are cut to the top k per row — the scores, best first, and a companion
 * INT64 output {@code <name>_classes} with their class indices — or replaced by the predicted class
 * alone ({@code label}, an INT64 output of shape [n], unless the answer already has an integer output
 * of that shape); remaining floating-point values are rounded to {@code roundingDecimals}. Less output
 * makes score-based black-box attacks and model extraction costlier (docs/detectors.md). Pure.
 *
 * @param exposure         scores, topK or label
 * @param topK             classes kept for topK
 * @param roundingDecimals decimals kept, or -1 for no rounding
 */
public record OutputHardening(String exposure, int topK, int roundingDecimals) {
    public static final OutputHardening NONE = new OutputHardening("scores", 0, -1);

    /** From detector.json's {@code outputHardening} (checked there). */
    public static OutputHardening of(io.robustml.oip.detector.DetectorConfig.OutputHardening spec) {
        String exposure = switch (spec.exposure()) {
            case SCORES -> "scores";
            case TOP_K -> "topK";
            case LABEL -> "label";
        };
        return new OutputHardening(exposure, spec.topK(), spec.roundingDecimals() == null ? -1 : spec.roundingDecimals());
    }

    public boolean changesAnything() {
        return !"scores".equals(exposure) || roundingDecimals >= 0;
    }

    /** Rewrites {@code answer} (an OIP inference response) in place. */
    public void apply(JsonNode answer) {
        JsonNode outputs = answer.path("outputs");
        if (!changesAnything() || !outputs.isArray()) {
            return;
        }
        List<ObjectNode> result = new ArrayList<>();
        List<ObjectNode> labels = new ArrayList<>();
        boolean hasIntegerLabel = false;
        for (JsonNode o : outputs) {
            if (!(o instanceof ObjectNode output)) {
                continue;
            }
            long[] shape = shape(output);
            boolean floating = output.path("datatype").asText("").startsWith("FP");
            if (!floating && shape.length == 1 && output.path("data").isArray()) {
                hasIntegerLabel = true;
            }
            if (floating && shape.length == 2 && shape[1] > 0 && output.path("data").isArray()
                    && output.path("data").size() == shape[0] * shape[1]) {
                int n = (int) shape[0];
                int classes = (int) shape[1];
                switch (exposure) {
                    case "topK" -> {
                        int k = Math.min(topK, classes);
                        ArrayNode scores = output.arrayNode();
                        ObjectNode indices = output.objectNode().put("name", output.path("name").asText("output") + "_classes")
                                .put("datatype", "INT64");
                        indices.putArray("shape").add(n).add(k);
                        ArrayNode idx = indices.putArray("data");
                        JsonNode original = output.get("data");
                        double[][] rows = rows(output, n, classes);
                        output.set("data", scores);
                        for (int i = 0; i < n; i++) {
                            for (int c : best(rows[i], k)) {
                                JsonNode v = original.get(i * classes + c);
                                scores.add(roundingDecimals < 0 ? v : scores.numberNode(round(v.asDouble())));
                                idx.add(c);
                            }
                        }
                        ((ArrayNode) output.withArray("shape")).set(1, k);
                        result.add(output);
                        result.add(indices);
                        continue;
                    }
                    case "label" -> {
                        ObjectNode label = output.objectNode().put("name", "label").put("datatype", "INT64");
                        label.putArray("shape").add(n);
                        ArrayNode data = label.putArray("data");
                        for (double[] row : rows(output, n, classes)) {
                            data.add(best(row, 1)[0]);
                        }
                        labels.add(label);
                        continue; // the scores themselves are not shown
                    }
                    default -> {
                    }
                }
            }
            if (floating && roundingDecimals >= 0 && output.path("data").isArray()) {
                roundAll((ArrayNode) output.get("data"));
            }
            result.add(output);
        }
        if (!hasIntegerLabel) {
            result.addAll(labels.isEmpty() ? List.of() : List.of(labels.get(0)));
        }
        ArrayNode replaced = ((ObjectNode) answer).putArray("outputs");
        result.forEach(replaced::add);
    }

    private double[][] rows(ObjectNode output, int n, int classes) {
        JsonNode data = output.get("data");
        double[][] rows = new double[n][classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                rows[i][c] = data.get(i * classes + c).asDouble();
            }
        }
        return rows;
    }

    /** Indices of the k largest values, largest first (ties: lower index first). */
    static int[] best(double[] row, int k) {
        int[] order = new int[k];
        boolean[] taken = new boolean[row.length];
        for (int j = 0; j < k; j++) {
            int arg = -1;
            for (int c = 0; c < row.length; c++) {
                if (!taken[c] && (arg < 0 || row[c] > row[arg])) {
                    arg = c;
                }
            }
            taken[arg] = true;
            order[j] = arg;
        }
        return order;
    }

    private void roundAll(ArrayNode data) {
        for (int i = 0; i < data.size(); i++) {
            JsonNode v = data.get(i);
            if (v.isArray()) {
                roundAll((ArrayNode) v);
            } else if (v.isNumber()) {
                data.set(i, data.numberNode(round(v.asDouble())));
            }
        }
    }

    private double round(double v) {
        if (roundingDecimals < 0 || !Double.isFinite(v)) {
            return v;
        }
        return java.math.BigDecimal.valueOf(v).setScale(roundingDecimals, java.math.RoundingMode.HALF_UP).doubleValue();
    }

    private static long[] shape(JsonNode output) {
        JsonNode s = output.path("shape");
        if (!s.isArray()) {
            return new long[0];
        }
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).asLong(-1);
        }
        return shape;
    }
}
