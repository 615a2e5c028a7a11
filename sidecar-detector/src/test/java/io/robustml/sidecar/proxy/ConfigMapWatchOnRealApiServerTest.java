package io.robustml.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.robustml.sidecar.config.ConfigReloader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sidecar watching its detector ConfigMap on the real local API server: a ConfigMap update is enforced
 * within 5 s (no kubelet volume refresh involved: there is no file at all), and a rejected config leaves
 * the old one in force and a Warning event {@code DetectorConfigRejected} on the RobustModel. Uses the
 * shared local control plane: run under {@code flock /tmp/robustml-cluster.lock}.
 */
@QuarkusTest
@TestProfile(ConfigMapWatchOnRealApiServerTest.Watching.class)
@QuarkusTestResource(value = RealModelServer.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = DetectorConfigMapOnRealApiServer.class, restrictToAnnotatedClass = true)
class ConfigMapWatchOnRealApiServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static class Watching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("robustml.api-keys-file", "target/configmap-watch-test/no-clients.json");
        }
    }

    @TestHTTPResource("/")
    URL base;

    private int status(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.toURI().resolve(path)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private HttpResponse<String> infer(int image) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.toURI().resolve("v2/models/fashion/infer"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Images.request(image))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long untilStatus(int image, int expected) throws Exception {
        long start = System.nanoTime();
        while (true) {
            HttpResponse<String> r = infer(image);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (r.statusCode() == expected) {
                return ms;
            }
            assertThat(ms).as("still %d %s after %d ms", r.statusCode(), r.body(), ms).isLessThan(5_000);
            Thread.sleep(20);
        }
    }

    @Test
    void enforcesConfigMapUpdatesWithinFiveSecondsAndReportsRejectedOnes() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (status("v2/health/ready") != 200) { // the first config comes from the watch
            assertThat(System.nanoTime()).as("ready from the ConfigMap").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(infer(11).statusCode()).isEqualTo(200);
        assertThat(infer(11).statusCode()).as("action flag: the replay is answered").isEqualTo(200);

        DetectorConfigMapOnRealApiServer.update(DetectorConfigMapOnRealApiServer.INITIAL.replace("\"flag\"", "\"block\""));
        long toBlock = untilStatus(11, 403);
        System.out.printf("[watch] ConfigMap action flag -> block enforced after %d ms%n", toBlock);

        DetectorConfigMapOnRealApiServer.update("{\"model\":\"fashion\",\"detector\":{\"action\":\"block\",\"methods\":[\"querySimilarity\"],"
                + "\"blockedClients\":[{\"cidr\":\"::ffff:127.0.0.0/104\",\"reason\":\"containment drill\"},{\"cidr\":\"127.0.0.0/8\",\"reason\":\"containment drill\"}]}}");
        long start = System.nanoTime();
        int image = 100;
        while (!infer(image++).body().contains("client blocked: containment drill")) { // a new image each time: never a replay
            assertThat((System.nanoTime() - start) / 1_000_000).as("blockedClients enforced within 5 s").isLessThan(5_000);
            Thread.sleep(20);
        }
        System.out.printf("[watch] ConfigMap blockedClients enforced after %d ms%n", (System.nanoTime() - start) / 1_000_000);

        DetectorConfigMapOnRealApiServer.update("{\"model\":\"fashion\",\"detector\":{\"blockedClients\":[{\"cidr\":\"300.1.2.3/8\"}]}}");
        List<Event> events = List.of();
        long until = System.nanoTime() + 10_000_000_000L;
        while (events.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(100);
            events = DetectorConfigMapOnRealApiServer.client.v1().events().inNamespace(DetectorConfigMapOnRealApiServer.namespace)
                    .list().getItems().stream().filter(e -> ConfigReloader.REJECTED_REASON.equals(e.getReason())).toList();
        }
        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("robustml.io/v1");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("RobustModel");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("fashion");
        assertThat(e.getMessage()).contains("300.1.2.3/8");
        assertThat(infer(14).body()).as("the old config stays in force").contains("client blocked: containment drill");
        assertThat(status("v2/health/ready")).isEqualTo(200);
    }
}
