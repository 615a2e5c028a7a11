package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PRADA in front of the real model server and the standard reference model. Extraction clients run
 * Jacobian-based dataset augmentation (JBDA, Papernot et al., AsiaCCS 2017): a few seed images, then
 * rounds in which a substitute MLP is trained on the target's labels so far and every known input is
 * stepped by λ·sign(∂ substitute logit of its label / ∂ input) — synthetic queries, each a small step
 * from an earlier one. Ordinary clients send the same number of natural test images. Each client has
 * its own API key, which is also allowed to see verdicts, so the test reads the sidecar's flags.
 */
@QuarkusTest
@TestProfile(ExtractionInFrontOfRealModelServerTest.Extraction.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
class ExtractionInFrontOfRealModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int CLIENTS = 3;
    /** JBDA's queries: 10 seeds, then rounds of 10, 20, 40, 80, 160, 320 synthetic inputs. */
    private static final int BUDGET = 640;
    private static LabelledImages test;

    public static class Extraction implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            List<String> keys = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                keys.add("jbda-" + c);
                keys.add("user-" + c);
            }
            // Six clients under their own verified API keys (detector.authentication.apiKeys), each also allowed verdicts.
            Map<String, String> byName = new java.util.LinkedHashMap<>();
            keys.forEach(k -> byName.put(k, k));
            ConfigFiles files = new ConfigFiles(Path.of("target/extraction-test")).write(
                    "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"extraction\"],\"action\":\"flag\","
                            + "\"authentication\":{\"apiKeys\":true}}}", ConfigFiles.clients(byName, Map.of()));
            return Map.of("robustml.detector-config", files.detectorJson().toString(),
                    "robustml.api-keys-file", files.clientsJson().toString(),
                    "robustml.verdict-api-keys", String.join(",", keys),
                    "robustml.rate-limit.requests-per-minute", "60000", "robustml.rate-limit.burst", "10000");
        }
    }

    @TestHTTPResource("/v2/models/fashion/infer")
    URL infer;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 10000);
    }

    /** The model's labels and the sidecar's flags for a batch sent under {@code key}. */
    private record Answer(int[] labels, boolean[] flagged) {
    }

    private Answer query(List<float[]> images, String key) throws Exception {
        int n = images.size();
        float[] flat = new float[n * 784];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(i), 0, flat, i * 784, 784);
        }
        ObjectNode req = JSON.createObjectNode();
        ObjectNode input = req.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        input.putArray("shape").add(n).add(1).add(28).add(28);
        input.set("data", TensorCodec.toJson(flat));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(infer.toURI()).header("content-type", "application/json")
                .header(ClientIdentity.API_KEY_HEADER, key).POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        int[] labels = new int[n];
        boolean[] flagged = new boolean[n];
        for (int i = 0; i < n; i++) {
            labels[i] = body.at("/outputs/1/data/" + i).asInt();
            flagged[i] = body.at("/parameters/robustml_flagged/" + i).asBoolean();
        }
        return new Answer(labels, flagged);
    }

    /** Sends {@code images} in batches of 40; the 1-based index of the first flagged one, 0 when none. */
    private int sendAll(List<float[]> images, String key, int alreadySent, List<Integer> labelsOut) throws Exception {
        int first = 0;
        for (int start = 0; start < images.size(); start += 40) {
            Answer a = query(images.subList(start, Math.min(images.size(), start + 40)), key);
            for (int i = 0; i < a.labels().length; i++) {
                labelsOut.add(a.labels()[i]);
                if (a.flagged()[i] && first == 0) {
                    first = alreadySent + start + i + 1;
                }
            }
        }
        return first;
    }

    @Test
    void jacobianAugmentationIsFlaggedBeforeItsBudgetEndsAndOrdinaryClientsAreNot() throws Exception {
        int[] jbdaFirstFlag = new int[CLIENTS];
        int[] ordinaryFlags = new int[CLIENTS];
        for (int c = 0; c < CLIENTS; c++) {
            // An ordinary client: BUDGET distinct natural test images, in test-set order.
            List<float[]> natural = new ArrayList<>();
            for (int i = 0; i < BUDGET; i++) {
                natural.add(test.images()[c * BUDGET + i]);
            }
            List<Integer> ignored = new ArrayList<>();
            int first = sendAll(natural, "user-" + c, 0, ignored);
            ordinaryFlags[c] = first;
            jbdaFirstFlag[c] = jbda(c);
        }
        System.out.printf("[prada] JBDA (lambda 0.1, %d-query budget) first flagged at query %s; ordinary clients (%d natural "
                + "images each) first flagged at %s (0 = never)%n", BUDGET, Arrays.toString(jbdaFirstFlag), BUDGET,
                Arrays.toString(ordinaryFlags));
        for (int c = 0; c < CLIENTS; c++) {
            assertThat(jbdaFirstFlag[c]).as("JBDA client %d is flagged before its budget ends", c).isBetween(1, BUDGET);
            assertThat(ordinaryFlags[c]).as("ordinary client %d is never flagged", c).isZero();
        }
        String metrics = HTTP.send(HttpRequest.newBuilder(infer.toURI().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("robustml_sidecar_extraction_clients " + (2.0 * CLIENTS))
                .contains("robustml_sidecar_extraction_shapiro_w_count")
                .contains("robustml_sidecar_flags_total{detector=\"extraction\"}")
                .contains("robustml_sidecar_added_latency_seconds_count")
                .contains("robustml_sidecar_upstream_seconds_count");
    }

    /** One JBDA client; returns the 1-based query index of its first flag, 0 when never flagged. */
    private int jbda(int client) throws Exception {
        SplittableRandom random = new SplittableRandom(100 + client);
        String key = "jbda-" + client;
        List<float[]> known = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int s = 0; s < 10; s++) { // seeds: 10 images the attacker owns, from the end of the test set
            known.add(test.images()[9000 + client * 100 + s]);
        }
        int first = sendAll(known, key, 0, labels);
        Mlp substitute = new Mlp(784, 32, 10, random);
        while (known.size() < BUDGET && first == 0) {
            substitute.train(known, labels, 10, 0.05f, random);
            int count = Math.min(known.size(), BUDGET - known.size());
            List<float[]> fresh = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                fresh.add(substitute.jacobianStep(known.get(i), labels.get(i), 0.1f));
            }
            int sent = known.size();
            first = sendAll(fresh, key, sent, labels);
            known.addAll(fresh);
        }
        return first;
    }

    /** A one-hidden-layer ReLU network trained by plain SGD: the attacker's substitute. */
    static final class Mlp {
        final int in;
        final int hidden;
        final int out;
        final float[][] w1;
        final float[] b1;
        final float[][] w2;
        final float[] b2;

        Mlp(int in, int hidden, int out, SplittableRandom random) {
            this.in = in;
            this.hidden = hidden;
            this.out = out;
            w1 = new float[hidden][in];
            b1 = new float[hidden];
            w2 = new float[out][hidden];
            b2 = new float[out];
            for (float[] row : w1) {
                for (int i = 0; i < in; i++) {
                    row[i] = (float) (random.nextDouble(-1, 1) * Math.sqrt(6.0 / (in + hidden)));
                }
            }
            for (float[] row : w2) {
                for (int i = 0; i < hidden; i++) {
                    row[i] = (float) (random.nextDouble(-1, 1) * Math.sqrt(6.0 / (hidden + out)));
                }
            }
        }

        float[] hidden(float[] x) {
            float[] h = new float[hidden];
            for (int j = 0; j < hidden; j++) {
                float s = b1[j];
                float[] w = w1[j];
                for (int i = 0; i < in; i++) {
                    s += w[i] * x[i];
                }
                h[j] = Math.max(0f, s);
            }
            return h;
        }

        void train(List<float[]> xs, List<Integer> ys, int epochs, float lr, SplittableRandom random) {
            int[] order = new int[xs.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int e = 0; e < epochs; e++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int idx : order) {
                    float[] x = xs.get(idx);
                    float[] h = hidden(x);
                    double[] p = new double[out];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < out; k++) {
                        double z = b2[k];
                        for (int j = 0; j < hidden; j++) {
                            z += w2[k][j] * h[j];
                        }
                        p[k] = z;
                        max = Math.max(max, z);
                    }
                    double sum = 0;
                    for (int k = 0; k < out; k++) {
                        p[k] = Math.exp(p[k] - max);
                        sum += p[k];
                    }
                    float[] dh = new float[hidden];
                    for (int k = 0; k < out; k++) {
                        float g = (float) (p[k] / sum - (k == ys.get(idx) ? 1 : 0));
                        for (int j = 0; j < hidden; j++) {
                            dh[j] += g * w2[k][j];
                            w2[k][j] -= lr * g * h[j];
                        }
                        b2[k] -= lr * g;
                    }
                    for (int j = 0; j < hidden; j++) {
                        if (h[j] <= 0) {
                            continue;
                        }
                        float g = dh[j];
                        float[] w = w1[j];
                        for (int i = 0; i < in; i++) {
                            w[i] -= lr * g * x[i];
                        }
                        b1[j] -= lr * g;
                    }
                }
            }
        }

        /** x + λ·sign(∂ logit_label / ∂x), clipped to [0, 1]: Papernot et al.'s augmentation step. */
        float[] jacobianStep(float[] x, int label, float lambda) {
            float[] h = hidden(x);
            float[] grad = new float[in];
            for (int j = 0; j < hidden; j++) {
                if (h[j] <= 0) {
                    continue;
                }
                float g = w2[label][j];
                float[] w = w1[j];
                for (int i = 0; i < in; i++) {
                    grad[i] += g * w[i];
                }
            }
            float[] next = new float[in];
            for (int i = 0; i < in; i++) {
                next[i] = Math.min(1f, Math.max(0f, x[i] + lambda * Math.signum(grad[i])));
            }
            return next;
        }
    }
}
