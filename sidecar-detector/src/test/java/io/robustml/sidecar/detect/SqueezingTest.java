package io.robustml.sidecar.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.robustml.oip.InvalidTensorException;
import io.robustml.oip.squeeze.Squeezers;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SqueezingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DetectorSettings ON = DetectorSettings.squeezing(0.5, 1, 2);

    @Test
    void bitDepthReductionRoundsToTheLevels() {
        assertThat(Squeezers.bitDepth(new float[] {0f, 0.2f, 0.5f, 0.74f, 1f, 1.3f}, 1)).containsExactly(0f, 0f, 1f, 1f, 1f, 1f);
        assertThat(Squeezers.bitDepth(new float[] {0.1f, 0.4f}, 2)).containsExactly(0f, 1f / 3);
    }

    @Test
    void medianSmoothingRemovesASinglePixelSpike() {
        float[] image = new float[9];
        image[4] = 1f; // one bright pixel in a dark 3x3 image
        assertThat(Squeezers.median(image, 1, 3, 3, 3)).containsOnly(0f);
        float[] flat = {0.2f, 0.2f, 0.2f, 0.2f};
        assertThat(Squeezers.median(flat, 1, 2, 2, 2)).containsOnly(0.2f);
    }

    @Test
    void theScoreIsTheLargestL1DistanceOfSoftmaxes() {
        assertThat(Squeezers.score(new float[] {1, 2, 3}, new float[] {1, 2, 3})).isZero();
        // A confident answer flipped to another class: the distance approaches its maximum, 2.
        assertThat(Squeezers.score(new float[] {20, 0}, new float[] {0, 20}, new float[] {20, 0})).isCloseTo(2.0, Offset.offset(1e-6));
    }

    @Test
    void oneRequestCarriesTheRowsAndTheirSqueezedCopiesAndTheAnswerIsSplitBack() throws Exception {
        JsonNode request = JSON.readTree("""
                {"id":"r1","inputs":[{"name":"input","shape":[2,1,2,2],"datatype":"FP32",
                 "data":[0.1,0.9,0.4,0.6, 0,0,0,1]}]}""");
        SqueezingInspection inspection = SqueezingInspection.of(request, InputRows.of(JSON, request).orElseThrow(), ON);
        JsonNode input = inspection.augmentedRequest(true).path("inputs").get(0);
        assertThat(input.path("shape").toString()).isEqualTo("[6,1,2,2]");
        assertThat(input.path("data").isBinary()).as("sent to the model server as binary tensor data").isTrue();
        java.nio.FloatBuffer sent = java.nio.ByteBuffer.wrap(input.path("data").binaryValue())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertThat(sent.remaining()).isEqualTo(24);
        assertThat(sent.get(8)).as("row 0 at 1 bit").isEqualTo(0f);
        assertThat(inspection.augmentedRequest(true).path("id").asText()).isEqualTo("r1");
        JsonNode copies = inspection.copiesRequest(true);
        assertThat(copies.path("inputs").get(0).path("shape").toString()).as("the copies alone").isEqualTo("[4,1,2,2]");
        assertThat(copies.path("parameters").path("binary_data_output").asBoolean()).as("answered in binary").isTrue();
        // For a model server without the binary extension: the same floats as JSON numbers, answered in JSON.
        JsonNode plain = inspection.augmentedRequest(false).path("inputs").get(0);
        assertThat(plain.path("data").isArray()).isTrue();
        float[] asNumbers = new float[plain.path("data").size()];
        for (int i = 0; i < asNumbers.length; i++) {
            asNumbers[i] = plain.path("data").get(i).floatValue();
        }
        float[] asBytes = new float[24];
        java.nio.ByteBuffer.wrap(input.path("data").binaryValue()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(asBytes);
        assertThat(asNumbers).as("bit for bit the binary copy's floats").isEqualTo(asBytes);
        assertThat(inspection.copiesRequest(false).path("parameters").has("binary_data_output")).isFalse();

        // The model's answer to the 6 rows: rows 0 and 1, then their bit-depth and median copies.
        JsonNode upstream = JSON.readTree("""
                {"model_name":"m","outputs":[{"name":"logits","shape":[6,2],"datatype":"FP32",
                 "data":[5,0, 0,5,  5,0, 5,0,  5,0, 0,5]}]}""");
        SqueezingInspection.Outcome outcome = inspection.split(upstream);
        assertThat(outcome.clientResponse().path("outputs").get(0).path("shape").toString()).isEqualTo("[2,2]");
        assertThat(outcome.clientResponse().path("outputs").get(0).path("data").toString()).isEqualTo("[5,0,0,5]");
        assertThat(outcome.scores()[0]).as("unchanged by squeezing").isCloseTo(0.0, Offset.offset(1e-9));
        assertThat(outcome.scores()[1]).as("flipped by bit-depth reduction").isGreaterThan(1.9);
    }

    @Test
    void whatTheDetectorsCannotReadOrWhatIsMalformedIsRefused() throws Exception {
        assertThatThrownBy(() -> InputRows.of(JSON, JSON.readTree("{\"inputs\":[{\"name\":\"t\",\"shape\":[1,3],"
                + "\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\",\"c\"]}]}"))).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("BYTES");
        assertThatThrownBy(() -> InputRows.of(JSON, JSON.readTree("{\"inputs\":[]}"))).isInstanceOf(InvalidTensorException.class)
                .hasMessageContaining("exactly one input");
        assertThat(InputRows.of(JSON, JSON.readTree("{\"inputs\":[{\"name\":\"x\",\"shape\":[0,2],\"datatype\":\"FP32\","
                + "\"data\":[]}]}"))).as("an empty batch: nothing to inspect").isEmpty();
        assertThatThrownBy(() -> InputRows.of(JSON, JSON.readTree(
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1]}]}")))
                .isInstanceOf(InvalidTensorException.class).hasMessageContaining("needs 2 values");
        assertThatThrownBy(() -> InputRows.of(JSON, JSON.readTree(
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,\"NaN\"]}]}")))
                .isInstanceOf(InvalidTensorException.class);
        assertThatThrownBy(() -> InputRows.of(JSON, JSON.readTree("{\"inputs\":[{\"shape\":\"wide\"}]}")))
                .isInstanceOf(InvalidTensorException.class);
    }

    @Test
    void settingsComeFromTheRenderedSpec() throws Exception {
        DetectorSettings s = settings("""
                {"methods":["featureSqueezing","querySimilarity"],"action":"block",
                 "featureSqueezing":{"threshold":"0.25","bitDepth":3}}""");
        assertThat(s.featureSqueezing()).isTrue();
        assertThat(s.blocks()).isTrue();
        assertThat(s.squeezingThreshold()).isEqualTo(0.25);
        assertThat(s.bitDepth()).isEqualTo(3);
        assertThat(s.medianWindow()).isEqualTo(2);
        assertThat(settings("{\"featureSqueezing\":{\"targetFalsePositiveRate\":\"0.05\"},"
                + "\"methods\":[\"featureSqueezing\"]}").squeezingThreshold()).isNull();
    }

    /**
     * A model that takes pixels in 0–255 (detector.json's {@code range}, from model.input.range): the squeezed copy it
     * is sent is the 0–1 image's squeezed copy in its own units — not every pixel above 1 clipped to 1 — and query
     * similarity fingerprints it as the same image.
     */
    @Test
    void anImageOfAnotherRangeIsSqueezedAndFingerprintedOnThatRange() throws Exception {
        DetectorSettings unit = file("""
                {"detector":{"methods":["featureSqueezing","querySimilarity"],"featureSqueezing":{"threshold":"0.5","bitDepth":2}}}""");
        DetectorSettings bytes = file("""
                {"detector":{"methods":["featureSqueezing","querySimilarity"],"featureSqueezing":{"threshold":"0.5","bitDepth":2}},
                 "range":{"min":0,"max":255}}""");
        float[] image = new float[28 * 28];
        for (int k = 0; k < image.length; k++) {
            image[k] = (k * 37 % 256) / 255f;
        }
        float[] scaled = new float[image.length];
        for (int k = 0; k < image.length; k++) {
            scaled[k] = image[k] * 255f;
        }
        float[] onUnit = unit.squeezeBitDepth(image);
        float[] onBytes = bytes.squeezeBitDepth(scaled);
        for (int k = 0; k < image.length; k++) {
            assertThat(onBytes[k]).as("pixel %d", k).isCloseTo(onUnit[k] * 255f, Offset.offset(1e-3f));
        }
        assertThat(onBytes).as("levels of the 0-255 range, not values clipped to 1").contains(255f, 85f, 170f);
        JsonNode request = JSON.readTree("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\",\"data\":"
                + JSON.writeValueAsString(scaled) + "}]}");
        SqueezingInspection inspection = SqueezingInspection.of(request, InputRows.of(JSON, request).orElseThrow(), bytes);
        java.nio.FloatBuffer sent = java.nio.ByteBuffer.wrap(inspection.augmentedRequest(true).path("inputs").get(0).path("data")
                .binaryValue()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int k = 0; k < image.length; k++) {
            assertThat(sent.get(image.length + k)).as("the bit-depth copy sent, pixel %d", k).isEqualTo(onBytes[k]);
        }
        assertThat(io.robustml.oip.similarity.Fingerprints.of(bytes.row(scaled), bytes.quantization(), bytes.windowSize(),
                DetectorSettings.TOP_HASHES)).as("fingerprinted as the same image")
                .isEqualTo(io.robustml.oip.similarity.Fingerprints.of(unit.row(image), unit.quantization(), unit.windowSize(),
                        DetectorSettings.TOP_HASHES));
    }

    /**
     * A model that takes normalised inputs (detector.json's {@code normalization}): the sidecar squeezes the pixels it
     * recovers and sends the copy normalised again, and fingerprints the pixels — as for the same image sent as pixels.
     */
    @Test
    void aNormalisedImageIsSqueezedAndFingerprintedAsItsPixels() throws Exception {
        DetectorSettings pixels = file("""
                {"detector":{"methods":["featureSqueezing","querySimilarity"],"featureSqueezing":{"threshold":"0.5","bitDepth":2}}}""");
        DetectorSettings normalised = file("""
                {"detector":{"methods":["featureSqueezing","querySimilarity"],"featureSqueezing":{"threshold":"0.5","bitDepth":2}},
                 "normalization":{"mean":[0.4914,0.4822,0.4465],"std":[0.247,0.2435,0.2616]}}""");
        float[] image = new float[3 * 8 * 8];
        for (int k = 0; k < image.length; k++) {
            image[k] = ((k * 53 % 256) + 0.5f) / 256f;
        }
        float[] sent = normalised.normalization().fromPixels(image);
        float[] copy = normalised.squeezeBitDepth(sent);
        float[] expected = normalised.normalization().fromPixels(pixels.squeezeBitDepth(image));
        for (int k = 0; k < image.length; k++) {
            assertThat(copy[k]).as("element %d", k).isCloseTo(expected[k], Offset.offset(1e-4f));
        }
        float[] seen = normalised.row(sent);
        for (int k = 0; k < image.length; k++) {
            assertThat(seen[k]).as("the pixel the detectors see, element %d", k).isCloseTo(image[k], Offset.offset(1e-5f));
        }
        assertThatThrownBy(() -> io.robustml.oip.detector.DetectorConfig.read(JSON, """
                {"normalization":{"mean":[0.5],"std":[0]}}""".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .hasMessageContaining("normalization.std must be positive");
    }

    /**
     * A channels-last model (detector.json's {@code channelsLast}): the sidecar squeezes and smooths each row channels
     * first and sends the copies back in the model's [H, W, C] order — the copies of the same image sent channels first,
     * transposed — and fingerprints the channels-first pixels.
     */
    @Test
    void aChannelsLastImageIsSqueezedAndFingerprintedChannelsFirst() throws Exception {
        String detector = "{\"methods\":[\"featureSqueezing\",\"querySimilarity\"],\"featureSqueezing\":{\"threshold\":\"0.5\",\"bitDepth\":2}}";
        DetectorSettings first = file("{\"detector\":" + detector
                + ",\"normalization\":{\"mean\":[0.4,0.5,0.6],\"std\":[0.2,0.25,0.3]}}");
        DetectorSettings last = file("{\"detector\":" + detector
                + ",\"normalization\":{\"mean\":[0.4,0.5,0.6],\"std\":[0.2,0.25,0.3]},\"channelsLast\":{\"channels\":3}}");
        float[] chw = new float[3 * 4 * 5];
        for (int k = 0; k < chw.length; k++) {
            chw[k] = ((k * 29 % 17) - 8) / 10f;
        }
        float[] hwc = last.modelLayout(chw);
        assertThat(hwc[1]).as("[h 0, w 0, c 1] is [c 1, h 0, w 0]").isEqualTo(chw[20]);
        assertThat(last.channelsFirst(hwc)).containsExactly(chw);
        assertThat(last.squeezeBitDepth(hwc)).containsExactly(last.modelLayout(first.squeezeBitDepth(chw)));
        assertThat(last.row(hwc)).containsExactly(first.row(chw));
        JsonNode asFirst = JSON.readTree("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,4,5],\"datatype\":\"FP32\",\"data\":"
                + JSON.writeValueAsString(chw) + "}]}");
        JsonNode asLast = JSON.readTree("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4,5,3],\"datatype\":\"FP32\",\"data\":"
                + JSON.writeValueAsString(hwc) + "}]}");
        float[] sentFirst = sent(SqueezingInspection.of(asFirst, InputRows.of(JSON, asFirst).orElseThrow(), first));
        float[] sentLast = sent(SqueezingInspection.of(asLast, InputRows.of(JSON, asLast).orElseThrow(), last));
        assertThat(sentLast).hasSize(3 * chw.length).as("the row, its bit-depth copy and its median copy");
        for (int copy = 0; copy < 3; copy++) {
            float[] expected = last.modelLayout(java.util.Arrays.copyOfRange(sentFirst, copy * chw.length, (copy + 1) * chw.length));
            assertThat(java.util.Arrays.copyOfRange(sentLast, copy * chw.length, (copy + 1) * chw.length)).as("copy %d", copy)
                    .containsExactly(expected);
        }
    }

    private static float[] sent(SqueezingInspection inspection) throws Exception {
        java.nio.FloatBuffer b = java.nio.ByteBuffer.wrap(inspection.augmentedRequest(true).path("inputs").get(0).path("data")
                .binaryValue()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    /** A whole detector.json, read and checked by the contract. */
    private static DetectorSettings file(String json) {
        return DetectorSettings.of(io.robustml.oip.detector.DetectorConfig.read(JSON, json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** detector.json's {@code detector}, read and checked by the contract. */
    private static DetectorSettings settings(String detector) {
        return DetectorSettings.of(io.robustml.oip.detector.DetectorConfig.read(JSON, ("{\"detector\":" + detector + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).detector());
    }

    @Test
    void theThresholdFlagsAtMostTheTargetFraction() {
        double[] scores = new double[100];
        for (int i = 0; i < 100; i++) {
            scores[i] = i / 100.0;
        }
        double t = CalibrateFeatureSqueezing.threshold(scores, 0.05);
        assertThat(CalibrateFeatureSqueezing.flaggedFraction(scores, t)).isEqualTo(0.05);
    }
}
