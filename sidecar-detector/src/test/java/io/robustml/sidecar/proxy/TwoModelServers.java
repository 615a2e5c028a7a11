package io.robustml.sidecar.proxy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.robustml.controlplane.ModelServerProcess;
import java.nio.file.Path;
import java.util.Map;

/** The standard model as the sidecar's upstream and the robust model as its fallback service. */
public class TwoModelServers implements QuarkusTestResourceLifecycleManager {
    private ModelServerProcess standard;
    private ModelServerProcess robust;

    @Override
    public Map<String, String> start() {
        standard = ModelServerProcess.start(Path.of(".."), "standard", "fashion", Path.of("target/model-server.log"));
        robust = ModelServerProcess.start(Path.of(".."), "robust", "fashion", Path.of("target/model-server-robust.log"));
        return Map.of("robustml.upstream", standard.url(), "robustml.fallback.url", robust.url());
    }

    @Override
    public void stop() {
        if (standard != null) {
            standard.close();
        }
        if (robust != null) {
            robust.close();
        }
    }
}
