package io.robustml.sidecar.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Calibrates the feature-squeezing threshold on clean data: scores the evaluation images against a
 * model server (directly, not through a sidecar) and prints the threshold that flags the target
 * fraction of them. Put the number into {@code spec.detector.featureSqueezing.threshold}.
 *
 * <pre>
 * java -cp 'sidecar-detector/target/quarkus-app/app/*:sidecar-detector/target/quarkus-app/lib/main/*' \
 *   io.robustml.sidecar.detect.CalibrateFeatureSqueezing http://127.0.0.1:8081 fashion \
 *   /usr/share/datasets/fashion-mnist 2000 0.05 [bitDepth] [medianWindow]
 * </pre>
 */
public final class CalibrateFeatureSqueezing {
    private CalibrateFeatureSqueezing() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: CalibrateFeatureSqueezing ENDPOINT MODEL DATASET_DIR SAMPLES TARGET_FPR [BIT_DEPTH] [MEDIAN_WINDOW]");
            System.exit(2);
        }
        DetectorSettings settings = DetectorSettings.squeezing(null,
                args.length > 5 ? Integer.parseInt(args[5]) : io.robustml.oip.detector.DetectorConfig.FeatureSqueezing.DEFAULT_BIT_DEPTH,
                args.length > 6 ? Integer.parseInt(args[6]) : io.robustml.oip.detector.DetectorConfig.FeatureSqueezing.DEFAULT_MEDIAN_WINDOW);
        Path dir = Path.of(args[2]);
        LabelledImages data = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"),
                Integer.parseInt(args[3]));
        double[] scores = scores(args[0], args[1], data, settings);
        double fpr = Double.parseDouble(args[4]);
        System.out.printf(Locale.ROOT, "%d clean images, bit depth %d, median window %d: threshold %.4f flags %.4f of them "
                + "(median score %.4f, p99 %.4f)%n", scores.length, settings.bitDepth(), settings.medianWindow(),
                threshold(scores, fpr), flaggedFraction(scores, threshold(scores, fpr)), quantile(scores, 0.5),
                quantile(scores, 0.99));
    }

    /** Squeezing scores of every image, sent in batches of 100 (300 rows upstream). */
    public static double[] scores(String endpoint, String model, LabelledImages data, DetectorSettings settings) throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpClient http = HttpClient.newHttpClient();
        URI infer = URI.create(endpoint + "/v2/models/" + model + "/infer");
        double[] scores = new double[data.count()];
        for (int start = 0; start < data.count(); start += 100) {
            int n = Math.min(100, data.count() - start);
            float[] flat = new float[n * data.rows() * data.cols()];
            for (int i = 0; i < n; i++) {
                System.arraycopy(data.images()[start + i], 0, flat, i * data.rows() * data.cols(), data.rows() * data.cols());
            }
            ObjectNode request = json.createObjectNode();
            ObjectNode input = request.putArray("inputs").addObject();
            input.put("name", "input").put("datatype", "FP32");
            input.putArray("shape").add(n).add(1).add(data.rows()).add(data.cols());
            input.set("data", TensorCodec.toJson(flat));
            SqueezingInspection inspection = SqueezingInspection.of(request, InputRows.of(json, request).orElseThrow(), settings);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(infer).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(inspection.augmentedRequest(false)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(infer + " answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode answer = json.readTree(response.body());
            System.arraycopy(inspection.split(answer).scores(), 0, scores, start, n);
        }
        return scores;
    }

    /** The smallest threshold that flags at most {@code fpr} of the scores (flag when score > threshold). */
    public static double threshold(double[] scores, double fpr) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int allowed = (int) Math.floor(fpr * sorted.length);
        return sorted[Math.max(0, sorted.length - 1 - allowed)];
    }

    static double flaggedFraction(double[] scores, double threshold) {
        return Arrays.stream(scores).filter(s -> s > threshold).count() / (double) scores.length;
    }

    static double quantile(double[] scores, double q) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
