package io.robustml.tester.targets;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.controlplane.SidecarProcess;
import io.robustml.oip.data.IdxFiles;
import io.robustml.oip.data.LabelledImages;
import io.robustml.tester.attack.Constraint;
import io.robustml.tester.attack.Geometry;
import io.robustml.tester.attack.Norm;
import io.robustml.tester.attack.SquareAttack;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tester's wire formats against the real model server, directly and through the real sidecar (every
 * detector on, verdicts visible): binary tensors are found from {@code GET /v2}, and binary and JSON
 * give bit-identical scores, verdicts and Square Attack runs. A server that refuses binary gets JSON.
 */
class OipTargetWireFormatTest {
    private static final Path REPO = Path.of("..");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static ModelServerProcess server;
    private static SidecarProcess sidecar;
    private static LabelledImages test;

    @BeforeAll
    static void start() throws Exception {
        test = IdxFiles.read(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"), 64);
        server = ModelServerProcess.start(REPO, "standard", "fashion", Path.of("target/model-server-wire.log"));
        Path config = Files.writeString(Path.of("target/detector-wire.json"), "{\"model\":\"fashion\",\"detector\":"
                + "{\"methods\":[\"featureSqueezing\",\"querySimilarity\",\"extraction\"],\"action\":\"flag\","
                + "\"featureSqueezing\":{\"threshold\":\"0.6516\"}}}");
        sidecar = SidecarProcess.start(REPO, server.url(), config, "tester-key", Path.of("target/sidecar-wire.log"));
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void binaryAndJsonGiveIdenticalPredictionsDirectlyAndThroughTheSidecar() throws Exception {
        for (String url : new String[] {server.url(), sidecar.url()}) {
            boolean viaSidecar = url.equals(sidecar.url());
            String key = viaSidecar ? "tester-key" : null;
            OipTarget auto = OipTarget.connect(url, "fashion", 64, key, TIMEOUT);
            OipTarget json = OipTarget.connect(url, "fashion", 64, key, TIMEOUT, OipTarget.Wire.JSON);
            assertThat(auto.binary()).as("found from GET /v2 at " + url).isTrue();
            assertThat(json.binary()).isFalse();
            float[][] images = Arrays.copyOf(test.images(), 64);
            for (int batch : new int[] {1, 64}) {
                float[][] x = Arrays.copyOf(images, batch);
                Target.Answer b = auto.classify(x);
                Target.Answer j = json.classify(x);
                for (int i = 0; i < batch; i++) {
                    assertThat(b.scores()[i]).as(url + " batch " + batch + " row " + i).containsExactly(j.scores()[i]);
                }
                assertThat(b.flagged() != null).as("verdicts visible only via the sidecar").isEqualTo(viaSidecar);
            }
            // The same seeded Square Attack, once per format: the same queries, the same examples, the same outcome.
            float[][] x = Arrays.copyOf(images, 8);
            int[] y = Arrays.copyOf(test.labels(), 8);
            SquareAttack.Result rb = new SquareAttack(Constraint.unitRange(Norm.LINF, 0.1f), 30, 0.3f, 7)
                    .run(auto, x, y, false, new Geometry(1, 28, 28));
            SquareAttack.Result rj = new SquareAttack(Constraint.unitRange(Norm.LINF, 0.1f), 30, 0.3f, 7)
                    .run(json, x, y, false, new Geometry(1, 28, 28));
            assertThat(rb.predictions()).containsExactly(rj.predictions());
            assertThat(rb.queries()).containsExactly(rj.queries());
            for (int i = 0; i < x.length; i++) {
                assertThat(rb.adversarial()[i]).containsExactly(rj.adversarial()[i]);
            }
            assertThat(auto.binary()).as("still binary after the attack").isTrue();
            assertThat(auto.queries()).isEqualTo(json.queries());
        }
    }

    @Test
    void readsWhatTheSidecarsOutputHardeningLeavesInBothFormats() throws Exception {
        float[][] x = Arrays.copyOf(test.images(), 32);
        int[] truth = OipTarget.connect(server.url(), "fashion", 64, null, TIMEOUT).classify(x).predictions();
        for (String hardening : new String[] {"{\"exposure\":\"label\"}", "{\"exposure\":\"topK\",\"topK\":3}"}) {
            Path config = Files.writeString(Path.of("target/detector-hardening.json"), "{\"model\":\"fashion\",\"detector\":"
                    + "{\"methods\":[\"featureSqueezing\"],\"action\":\"flag\",\"featureSqueezing\":{\"threshold\":\"0.6516\"},"
                    + "\"outputHardening\":" + hardening + "}}");
            try (SidecarProcess hardened = SidecarProcess.start(REPO, server.url(), config, "tester-key",
                    Path.of("target/sidecar-hardening.log"))) {
                for (OipTarget.Wire wire : new OipTarget.Wire[] {OipTarget.Wire.AUTO, OipTarget.Wire.JSON}) {
                    Target.Answer a = OipTarget.connect(hardened.url(), "fashion", 64, "tester-key", TIMEOUT, wire).classify(x);
                    assertThat(a.predictions()).as(hardening + " " + wire).containsExactly(truth);
                    assertThat(a.scores()[0]).as("every class has a place in the row").hasSize(10);
                    assertThat(a.flagged()).isNotNull();
                }
            }
        }
    }

    @Test
    void fallsBackToJsonWhenTheServerRefusesBinary() throws Exception {
        AtomicInteger binaryPosts = new AtomicInteger();
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/v2", ex -> {
            String path = ex.getRequestURI().getPath();
            String body;
            int status = 200;
            if (path.equals("/v2")) {
                body = "{\"name\":\"fake\",\"extensions\":[\"binary_tensor_data\"]}";
            } else if (path.equals("/v2/models/m")) {
                body = "{\"name\":\"m\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]}";
            } else if (ex.getRequestHeaders().containsKey("Inference-Header-Content-Length")) {
                binaryPosts.incrementAndGet();
                status = 400;
                body = "{\"error\":\"no binary here\"}";
            } else {
                ex.getRequestBody().readAllBytes();
                body = "{\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[0.25,0.75]}]}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        fake.start();
        try {
            OipTarget t = OipTarget.connect("http://127.0.0.1:" + fake.getAddress().getPort(), "m", 8, null, TIMEOUT);
            assertThat(t.binary()).isTrue();
            assertThat(t.classify(new float[][] {{1, 2}}).scores()[0]).containsExactly(0.25f, 0.75f);
            assertThat(t.binary()).as("fell back to JSON").isFalse();
            t.classify(new float[][] {{3, 4}});
            assertThat(binaryPosts.get()).as("binary tried once").isEqualTo(1);
            assertThat(t.queries()).isEqualTo(2);
        } finally {
            fake.stop(0);
        }
    }
}
