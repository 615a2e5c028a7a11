package io.robustml.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload decisions with real files: validate-then-swap, readiness, and two sources that disagree for a while. */
class ConfigReloaderTest {
    private static final String FLAG = "{\"model\":\"fashion\",\"detector\":{\"action\":\"flag\"}}";
    private static final String BLOCK = "{\"model\":\"fashion\",\"detector\":{\"action\":\"block\",\"authentication\":{\"apiKeys\":true}}}";

    @TempDir
    Path dir;

    private ConfigReloader reloader(SimpleMeterRegistry registry) {
        return new ConfigReloader(new ObjectMapper(), registry, Optional.of(dir.resolve("detector.json").toString()), 1000,
                dir.resolve("clients.json").toString(), Optional.empty(), Optional.empty(), 0, 0);
    }

    @Test
    void aBadClientsFileKeepsTheSidecarNotReadyUntilItIsFixed() throws Exception {
        Files.writeString(dir.resolve("detector.json"), BLOCK);
        Files.writeString(dir.resolve("clients.json"), "{\"clients\":[{\"name\":\"a\",\"sha256\":\"nope\"}]}");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConfigReloader r = reloader(registry);
        assertThat(r.current()).isNull();
        assertThat(r.notReadyReason()).contains("lower-hex sha256");
        assertThat(registry.get("robustml_sidecar_config_rejected_total").functionCounter().count()).isEqualTo(1);
        Files.writeString(dir.resolve("clients.json"), "{\"clients\":[{\"name\":\"a\",\"sha256\":\"" + Clients.sha256Hex("k") + "\"}]}");
        r.pollFiles();
        assertThat(r.current()).isNotNull();
        assertThat(r.current().clients().byKeySha256(Clients.sha256Hex("k")).name()).isEqualTo("a");
        assertThat(r.notReadyReason()).isNull();
        // a later bad clients file is rejected; the good one stays
        Files.writeString(dir.resolve("clients.json"), "not json");
        r.pollFiles();
        assertThat(r.current().clients().size()).isEqualTo(1);
        assertThat(registry.get("robustml_sidecar_config_rejected_total").functionCounter().count()).isEqualTo(2);
    }

    @Test
    void theOlderFileDoesNotUndoANewerConfigFromTheWatch() throws Exception {
        Files.writeString(dir.resolve("detector.json"), FLAG);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ConfigReloader r = reloader(registry);
        assertThat(r.current().detector().action()).isEqualTo("flag");
        // the watch delivers the new version first
        assertThat(r.apply("ConfigMap ns/fashion-detector", BLOCK.getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(r.current().detector().action()).isEqualTo("block");
        r.pollFiles(); // the volume still has the old version: unchanged for the file source, nothing happens
        assertThat(r.current().detector().action()).isEqualTo("block");
        Files.writeString(dir.resolve("detector.json"), BLOCK); // the kubelet catches up: same config, not re-applied
        r.pollFiles();
        assertThat(registry.get("robustml_sidecar_config_reloads_total").functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("robustml_sidecar_config_info").tag("sha256", r.current().shortSha()).gauge().value()).isEqualTo(1);
    }

    @Test
    void withoutAnyDetectorConfigTheDefaultsAreInForce() {
        ConfigReloader r = new ConfigReloader(new ObjectMapper(), new SimpleMeterRegistry(), Optional.empty(), 1000,
                dir.resolve("clients.json").toString(), Optional.empty(), Optional.empty(), 60, 0);
        assertThat(r.notReadyReason()).isNull();
        assertThat(r.current().rateLimit()).isEqualTo(new ClientLimits(60, 10, 0));
        assertThat(r.current().authentication()).isEqualTo(Authentication.NONE);
    }
}
