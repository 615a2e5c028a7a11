package io.robustml.modelserver.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.robustml.modelserver.Fixtures;
import io.robustml.modelserver.runtime.ModelRuntime;
import io.robustml.modelserver.runtime.Prediction;
import io.robustml.oip.TensorCodec;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real {@code tritonclient[http]} from PyPI against the real server: metadata, batch 1 and batch
 * 64 with the client's default binary tensors and with JSON, BOOL and FP16 inputs, and a refused
 * request, every answer compared with DJL's own prediction for the same images.
 *
 * <p>Uses the venv of {@code scripts/python-env} (default {@code ~/.cache/robustml/venv}, or
 * {@code $ROBUSTML_PYTHON_VENV}), which the test runs first; when it cannot be made the test fails,
 * it does not skip.
 */
@QuarkusTest
class TritonClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("src/test/python/tritonclient_check.py");
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TestHTTPResource("/")
    URL base;

    @Inject
    ModelRuntime runtime;

    /**
     * The venv's python, made (or found up to date) by {@code scripts/python-env}, so that the README's
     * test command works on a fresh machine: pip installs from PyPI, a package registry.
     */
    static Path venvPython() throws Exception {
        Process p = new ProcessBuilder("bash", Path.of("..", "scripts", "python-env").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("scripts/python-env failed (it installs tritonclient[http] into ~/.cache/robustml/venv): " + out);
        }
        return Path.of(out.lines().reduce((a, b) -> b).orElse(""));
    }

    @Test
    void tritonClientGetsDjlsAnswersWithBinaryAndJsonTensors() throws Exception {
        Path python = venvPython();
        if (!Files.isExecutable(python)) {
            fail(python + " is not an executable python: scripts/python-env did not make the venv");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> runtime.state().isReady());

        LabelledImages test = Fixtures.testSet(64);
        ObjectNode expected = JSON.createObjectNode();
        for (int batch : new int[] {1, 64}) {
            expected.with("fp32").set(String.valueOf(batch), prediction(test, batch, false));
        }
        expected.with("bool").set("64", prediction(test, 64, true));
        Path expectedFile = Files.createTempFile("tritonclient-expected", ".json");
        Path log = Files.createTempFile("tritonclient-check", ".log");
        try {
            Files.writeString(expectedFile, expected.toString());
            Process p = new ProcessBuilder(python.toString(), SCRIPT.toString(),
                    "--url", base.getHost() + ":" + base.getPort(), "--model", "fashion",
                    "--images", FASHION.resolve("t10k-images-idx3-ubyte.gz").toString(),
                    "--labels", FASHION.resolve("t10k-labels-idx1-ubyte.gz").toString(),
                    "--expected", expectedFile.toString(),
                    "--recorded", Fixtures.MODELS.resolve("metrics.json").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("tritonclient check did not finish in 180 s:\n" + read(log));
            }
            String out = read(log);
            System.out.println(out);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("ok metadata", "ok batch 1 binary", "ok batch 1 json", "ok batch 64 binary",
                    "ok batch 64 json", "ok batch 64 BOOL binary", "ok batch 64 BOOL json", "ok batch 64 FP16 binary",
                    "ok malformed request", "tritonclient check passed");
        } finally {
            Files.deleteIfExists(expectedFile);
            Files.deleteIfExists(log);
        }
    }

    /** DJL's answer for the first {@code batch} images (binarised to 0/1 if asked), without HTTP. */
    private ObjectNode prediction(LabelledImages test, int batch, boolean binarise) throws Exception {
        float[] data = new float[batch * 784];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < 784; j++) {
                float v = test.images()[i][j];
                data[i * 784 + j] = binarise ? (v > 0.5f ? 1f : 0f) : v;
            }
        }
        Prediction p = runtime.model().predict(data, new long[] {batch, 1, 28, 28});
        ObjectNode node = JSON.createObjectNode();
        node.set("logits", TensorCodec.toJson(p.logits()));
        node.set("labels", TensorCodec.toJson(p.argmax()));
        return node;
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
