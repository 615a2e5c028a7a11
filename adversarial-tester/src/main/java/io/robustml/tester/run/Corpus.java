package io.robustml.tester.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.crds.run.AdversarialTestRunStatus.CorpusResult;
import io.robustml.tester.targets.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A regression corpus: known adversarial inputs (crafted in an earlier run, or taken from the
 * sidecar's forensic log) replayed once each against every revision, so a fixed weakness stays fixed.
 * JSON lines: {@code {"input": [floats], "shape": [1,28,28], "label": <true class>, "id": "...",
 * "target": <class, optional>}}. The file's SHA-256 is checked before a single line is read.
 */
public record Corpus(List<Line> lines, String sha256) {

    /** One example: success is a wrong answer, or the target's class when the line names one. */
    public record Line(String id, float[] input, long[] shape, int label, Integer target) {
    }

    /** Reads a corpus from a local path or file:// URI, refusing it unless its digest is {@code sha256}. */
    public static Corpus load(String uri, String sha256) throws IOException {
        if (uri == null || sha256 == null) {
            throw new IllegalArgumentException("spec.corpus needs uri and sha256");
        }
        if (uri.contains("://") && !uri.startsWith("file://")) {
            throw new IllegalArgumentException("corpus " + uri + ": only a local path or file:// is read here; the operator mounts "
                    + "pvc:// corpora into the pod, and the tester fetches s3:// and https:// ones first");
        }
        Path file = uri.startsWith("file:") ? Path.of(java.net.URI.create(uri)) : Path.of(uri);
        byte[] bytes = Files.readAllBytes(file);
        String actual = io.robustml.fetch.Sha256.of(bytes);
        if (!actual.equalsIgnoreCase(sha256)) {
            throw new IllegalArgumentException("corpus " + uri + " has sha256 " + actual + ", but spec.corpus.sha256 says " + sha256
                    + ": refusing it, nothing was measured");
        }
        return new Corpus(parse(new String(bytes, StandardCharsets.UTF_8), uri), actual);
    }

    static List<Line> parse(String text, String source) {
        ObjectMapper json = new ObjectMapper();
        List<Line> lines = new ArrayList<>();
        String[] raw = text.split("\n");
        for (int n = 0; n < raw.length; n++) {
            String s = raw[n].strip();
            if (s.isEmpty()) {
                continue;
            }
            String where = source + " line " + (n + 1);
            JsonNode node;
            try {
                node = json.readTree(s);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + " is not JSON: " + e.getMessage());
            }
            JsonNode input = node.path("input");
            JsonNode shape = node.path("shape");
            if (!input.isArray() || input.isEmpty() || !shape.isArray() || !node.path("label").canConvertToInt()) {
                throw new IllegalArgumentException(where + " needs input (numbers), shape and label (a class index)");
            }
            float[] values = new float[input.size()];
            for (int k = 0; k < values.length; k++) {
                if (!input.get(k).isNumber()) {
                    throw new IllegalArgumentException(where + ": input value " + k + " is not a number");
                }
                values[k] = (float) input.get(k).asDouble();
            }
            long[] dims = new long[shape.size()];
            long product = 1;
            for (int k = 0; k < dims.length; k++) {
                dims[k] = shape.get(k).asLong();
                product *= dims[k];
            }
            if (product != values.length) {
                throw new IllegalArgumentException(where + ": shape " + Arrays.toString(dims) + " needs " + product + " values, input has "
                        + values.length);
            }
            Integer target = node.hasNonNull("target") ? node.get("target").asInt() : null;
            lines.add(new Line(node.path("id").asText(Integer.toString(n + 1)), values, dims, node.get("label").asInt(), target));
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no examples");
        }
        return lines;
    }

    /** Each input sent once, in batches; the target's answers decide. */
    public CorpusResult replay(Target target, long[] exampleShape, int batchSize) throws IOException {
        long size = 1;
        for (long d : exampleShape) {
            size *= d;
        }
        for (Line l : lines) {
            if (l.input().length != size) {
                throw new IllegalArgumentException("corpus example " + l.id() + " has shape " + Arrays.toString(l.shape())
                        + ", the model takes " + Arrays.toString(exampleShape));
            }
        }
        int successes = 0;
        for (int start = 0; start < lines.size(); start += batchSize) {
            List<Line> chunk = lines.subList(start, Math.min(lines.size(), start + batchSize));
            int[] answers = target.classify(chunk.stream().map(Line::input).toArray(float[][]::new)).predictions();
            for (int j = 0; j < answers.length; j++) {
                Line l = chunk.get(j);
                successes += (l.target() != null ? answers[j] == l.target() : answers[j] != l.label()) ? 1 : 0;
            }
        }
        return new CorpusResult(lines.size(), (double) successes / lines.size(), sha256);
    }
}
