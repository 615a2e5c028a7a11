package io.robustml.sidecar.proxy;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.robustml.controlplane.ModelServerProcess;
import io.robustml.sidecar.detect.RedisServer;
import java.nio.file.Path;
import java.util.Map;

/** The real model server (standard model) and a real redis-server for the shared fingerprint table. */
public class RedisAndModelServer implements QuarkusTestResourceLifecycleManager {
    private ModelServerProcess server;
    private RedisServer redis;

    @Override
    public Map<String, String> start() {
        redis = RedisServer.start(Path.of("target/redis-sidecar-test.log"));
        server = ModelServerProcess.start(Path.of(".."), "standard", "fashion", Path.of("target/model-server.log"));
        return Map.of("robustml.upstream", server.url(), "robustml.fingerprints.redis", "redis://" + redis.address());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
