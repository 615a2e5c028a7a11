package io.robustml.sidecar.proxy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.robustml.controlplane.ModelServerProcess;
import java.nio.file.Path;
import java.util.Map;

/** The real model server with the standard reference model; the sidecar under test points at it. */
public class RealModelServer implements QuarkusTestResourceLifecycleManager {
    private ModelServerProcess server;

    @Override
    public Map<String, String> start() {
        server = ModelServerProcess.start(Path.of(".."), "standard", "fashion", Path.of("target/model-server.log"));
        return Map.of("robustml.upstream", server.url());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
