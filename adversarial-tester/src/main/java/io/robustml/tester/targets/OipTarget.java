package io.robustml.tester.targets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.robustml.oip.BinaryTensors;
import io.robustml.oip.InferenceRequest;
import io.robustml.oip.InferenceResponse;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.TensorCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model behind an Open Inference Protocol v2 REST endpoint (the sidecar, as a client sees it).
 * Inputs go as one FP32 tensor per request, batched up to {@code maxBatch} rows; the first output
 * holds the scores. Every request's latency is recorded.
 *
 * <p>Verdicts: a sidecar that shows them to this caller answers with the header
 * {@value #FLAGGED_HEADER}, one {@code 0}/{@code 1} per input row in order. Without the header no
 * verdicts are visible and detection is not measured (never assumed to be zero).
 *
 * <p>Wire format ({@link Wire}): with {@code AUTO} (the default) the tester sends its batches as binary
 * tensors (the v2 binary tensor data extension: raw little-endian FP32 after a JSON header, and binary
 * outputs back) when the server lists {@code binary_tensor_data} in {@code GET /v2}, and JSON otherwise;
 * if the first binary request is refused with a 4xx it falls back to JSON for good. Both formats carry
 * the same float32 values, so answers are identical; binary spares the printing and parsing of tens of
 * thousands of numbers per query batch.
 */
public final class OipTarget implements Target {
    public static final String FLAGGED_HEADER = "X-RobustML-Flagged";
    public static final String API_KEY_HEADER = "X-API-Key";

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final URI inferUri;
    private final String inputName;
    private final long[] exampleShape;
    private final int maxBatch;
    private final String apiKey;
    /** Sent with every inference request once set (judgeSqueezingAt); the sidecar honours it for the analysis key. */
    private volatile String squeezingThreshold;
    private final Duration timeout;
    private final AtomicLong queries = new AtomicLong();
    private final LatencyRecorder latency = new LatencyRecorder();
    /** The model's class count from its metadata ({@code outputs[0].shape}'s last dimension), 0 when unknown. */
    private int classes;
    /** Whether batches go as binary tensors; turned off for good if the server refuses the first one. */
    private volatile boolean binary;
    private volatile boolean binaryConfirmed;

    /** How query batches are encoded. */
    public enum Wire {
        /** Binary when the server lists the extension in {@code GET /v2} (JSON after a refused first try). */
        AUTO,
        /** Always JSON tensors. */
        JSON,
        /** Always binary tensors. */
        BINARY
    }

    private OipTarget(HttpClient http, URI inferUri, String inputName, long[] exampleShape, int maxBatch, String apiKey,
            Duration timeout) {
        this.http = http;
        this.inferUri = inferUri;
        this.inputName = inputName;
        this.exampleShape = exampleShape;
        this.maxBatch = maxBatch;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    /**
     * Connects to {@code baseUrl} and reads the model's metadata ({@code GET /v2/models/{model}}) for
     * the input name and shape, so the tester works against any v2 server.
     */
    public static OipTarget connect(String baseUrl, String model, int maxBatch, String apiKey, Duration timeout)
            throws IOException {
        return connect(baseUrl, model, maxBatch, apiKey, timeout, Wire.AUTO);
    }

    /** As {@link #connect(String, String, int, String, Duration)}, with the wire format chosen. */
    public static OipTarget connect(String baseUrl, String model, int maxBatch, String apiKey, Duration timeout, Wire wire)
            throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        URI metadataUri = URI.create(base + "/v2/models/" + model);
        HttpRequest.Builder get = HttpRequest.newBuilder(metadataUri).timeout(timeout).GET();
        if (apiKey != null) {
            get.header(API_KEY_HEADER, apiKey);
        }
        HttpResponse<String> response = send(http, get.build(), metadataUri);
        if (response.statusCode() != 200) {
            throw new IOException("GET " + metadataUri + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        JsonNode input = new ObjectMapper().readTree(response.body()).path("inputs").path(0);
        if (!input.path("name").isTextual() || !input.path("shape").isArray()) {
            throw new IOException("GET " + metadataUri + ": no input name and shape in the model metadata");
        }
        JsonNode shape = input.path("shape");
        long[] example = new long[shape.size() - 1];
        for (int i = 1; i < shape.size(); i++) {
            example[i - 1] = shape.get(i).asLong();
            if (example[i - 1] <= 0) {
                throw new IOException("GET " + metadataUri + ": only the batch dimension may vary, got shape " + shape);
            }
        }
        OipTarget target = new OipTarget(http, URI.create(base + "/v2/models/" + model + "/infer"), input.get("name").asText(),
                example, maxBatch, apiKey, timeout);
        JsonNode outputShape = new ObjectMapper().readTree(response.body()).path("outputs").path(0).path("shape");
        target.classes = outputShape.isArray() && outputShape.size() > 1 ? Math.max(0, outputShape.get(outputShape.size() - 1).asInt(0)) : 0;
        target.binary = switch (wire) {
            case JSON -> false;
            case BINARY -> true;
            case AUTO -> supportsBinary(http, base, apiKey, timeout);
        };
        target.binaryConfirmed = wire == Wire.BINARY;
        return target;
    }

    /** Whether {@code GET /v2} lists the binary tensor data extension (false when it cannot be read). */
    static boolean supportsBinary(HttpClient http, String base, String apiKey, Duration timeout) {
        URI uri = URI.create(base + "/v2");
        HttpRequest.Builder get = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (apiKey != null) {
            get.header(API_KEY_HEADER, apiKey);
        }
        try {
            HttpResponse<String> r = send(http, get.build(), uri);
            if (r.statusCode() != 200) {
                return false;
            }
            return BinaryTensors.listedIn(new ObjectMapper().readTree(r.body()));
        } catch (IOException | RuntimeException e) {
            // no metadata: JSON, which every v2 server speaks
        }
        return false;
    }

    /** Whether query batches currently go as binary tensors. */
    public boolean binary() {
        return binary;
    }

    public long[] exampleShape() {
        return exampleShape.clone();
    }

    @Override
    public Answer classify(float[][] inputs) throws IOException {
        float[][] scores = new float[inputs.length][];
        boolean[] flagged = new boolean[inputs.length];
        boolean verdictsVisible = inputs.length > 0;
        for (int start = 0; start < inputs.length; start += maxBatch) {
            int count = Math.min(maxBatch, inputs.length - start);
            Optional<boolean[]> verdicts = send(inputs, start, count, scores);
            if (verdicts.isPresent()) {
                System.arraycopy(verdicts.get(), 0, flagged, start, count);
            } else {
                verdictsVisible = false;
            }
        }
        return new Answer(scores, verdictsVisible ? flagged : null);
    }

    private Optional<boolean[]> send(float[][] inputs, int start, int count, float[][] scores) throws IOException {
        if (binary) {
            Optional<Optional<boolean[]>> answered = sendBinary(inputs, start, count, scores);
            if (answered.isPresent()) {
                return answered.get();
            }
        }
        ObjectNode body = json.createObjectNode();
        ObjectNode tensor = body.putArray("inputs").addObject();
        tensor.put("name", inputName);
        ArrayNode shape = tensor.putArray("shape").add(count);
        for (long d : exampleShape) {
            shape.add(d);
        }
        tensor.put("datatype", "FP32");
        ArrayNode data = tensor.putArray("data");
        for (int i = start; i < start + count; i++) {
            for (float v : inputs[i]) {
                data.add(v);
            }
        }
        HttpRequest.Builder post = HttpRequest.newBuilder(inferUri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        if (apiKey != null) {
            post.header(API_KEY_HEADER, apiKey);
        }
        if (squeezingThreshold != null) {
            post.header(io.robustml.oip.detector.AnalysisOverride.SQUEEZING_THRESHOLD_HEADER, squeezingThreshold);
        }
        long t0 = System.nanoTime();
        HttpResponse<String> response = send(http, post.build(), inferUri);
        latency.record(System.nanoTime() - t0);
        queries.addAndGet(count);
        if (response.statusCode() != 200) {
            throw new IOException("POST " + inferUri + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        java.util.List<ScoreRows.Output> outputs = new java.util.ArrayList<>();
        for (JsonNode output : json.readTree(response.body()).path("outputs")) {
            java.util.List<Float> flat = new java.util.ArrayList<>();
            flattenNumbers(output.path("data"), flat);
            float[] values = new float[flat.size()];
            for (int k = 0; k < values.length; k++) {
                values[k] = flat.get(k);
            }
            outputs.add(new ScoreRows.Output(output.path("name").asText(null), output.path("datatype").asText(null), values));
        }
        rows(outputs, count, scores, start);
        return response.headers().firstValue(FLAGGED_HEADER).map(h -> parseVerdicts(h, count));
    }

    /**
     * One batch as binary tensors, outputs asked for as binary. Empty when the server refused the very
     * first binary request with a 4xx: the target then speaks JSON from here on.
     */
    private Optional<Optional<boolean[]>> sendBinary(float[][] inputs, int start, int count, float[][] scores)
            throws IOException {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = count;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        int features = inputs[start].length;
        float[] flat = new float[count * features];
        for (int i = 0; i < count; i++) {
            System.arraycopy(inputs[start + i], 0, flat, i * features, features);
        }
        BinaryTensors.Encoded body = BinaryTensors.encode(new InferenceRequest(null,
                Map.of(BinaryTensors.BINARY_DATA_OUTPUT, true), List.of(BinaryTensors.fp32(inputName, shape, flat)), null), json);
        HttpRequest.Builder post = HttpRequest.newBuilder(inferUri).timeout(timeout)
                .header("Content-Type", "application/octet-stream")
                .header(BinaryTensors.HEADER, Integer.toString(body.headerLength()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()));
        if (apiKey != null) {
            post.header(API_KEY_HEADER, apiKey);
        }
        if (squeezingThreshold != null) {
            post.header(io.robustml.oip.detector.AnalysisOverride.SQUEEZING_THRESHOLD_HEADER, squeezingThreshold);
        }
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = http.send(post.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + inferUri, e);
        } catch (IOException e) {
            throw new IOException("cannot reach " + inferUri + ": " + e, e);
        }
        long elapsed = System.nanoTime() - t0;
        if (response.statusCode() >= 400 && response.statusCode() < 500 && response.statusCode() != 429 && !binaryConfirmed) {
            binary = false; // the server does not take binary tensors after all: JSON from now on
            return Optional.empty();
        }
        latency.record(elapsed);
        queries.addAndGet(count);
        if (response.statusCode() != 200) {
            throw new IOException("POST " + inferUri + " answered " + response.statusCode() + ": "
                    + abbreviate(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)));
        }
        binaryConfirmed = true;
        java.util.List<ScoreRows.Output> outputs = new java.util.ArrayList<>();
        try {
            InferenceResponse answer = BinaryTensors.decodeResponse(response.body(),
                    response.headers().firstValue(BinaryTensors.HEADER).orElse(null), json);
            if (answer == null || answer.outputs() == null || answer.outputs().isEmpty()) {
                throw new IOException("POST " + inferUri + ": the answer has no outputs");
            }
            for (var t : answer.outputs()) {
                outputs.add(new ScoreRows.Output(t.name(), t.datatype(), TensorCodec.toFloats(t, Integer.MAX_VALUE)));
            }
        } catch (InvalidTensorException e) {
            throw new IOException("POST " + inferUri + ": unreadable answer: " + e.getMessage(), e);
        }
        rows(outputs, count, scores, start);
        return Optional.of(response.headers().firstValue(FLAGGED_HEADER).map(h -> parseVerdicts(h, count)));
    }

    /** The score rows of one answer, whatever output hardening left of it (see {@link ScoreRows}). */
    private void rows(java.util.List<ScoreRows.Output> outputs, int count, float[][] scores, int start) throws IOException {
        float[][] rows;
        try {
            rows = ScoreRows.of(outputs, count, classes);
        } catch (IllegalArgumentException e) {
            throw new IOException("POST " + inferUri + ": " + e.getMessage(), e);
        }
        System.arraycopy(rows, 0, scores, start, count);
    }

    private static void flattenNumbers(JsonNode node, java.util.List<Float> out) {
        if (node.isArray()) {
            node.forEach(n -> flattenNumbers(n, out));
        } else if (node.isNumber()) {
            out.add((float) node.asDouble());
        }
    }

    static boolean[] parseVerdicts(String header, int count) {
        String[] parts = header.split(",");
        if (parts.length != count) {
            throw new IllegalStateException(FLAGGED_HEADER + " has " + parts.length + " verdicts for " + count + " inputs");
        }
        boolean[] flagged = new boolean[count];
        for (int i = 0; i < count; i++) {
            flagged[i] = parts[i].trim().equals("1");
        }
        return flagged;
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request, URI uri) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + uri, e);
        } catch (IOException e) {
            throw new IOException("cannot reach " + uri + ": " + e, e);
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "…";
    }

    @Override
    public long queries() {
        return queries.get();
    }

    @Override
    public void judgeSqueezingAt(double threshold) {
        this.squeezingThreshold = Double.toString(threshold);
    }

    public LatencyRecorder latency() {
        return latency;
    }
}
