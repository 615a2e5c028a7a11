package io.robustml.modelserver.runtime;

import io.robustml.fetch.FetchException;
import io.robustml.fetch.FetchSettings;
import io.robustml.fetch.RetryPolicy;
import java.nio.file.Path;
import org.eclipse.microprofile.config.Config;

/** The model server's fetch settings: its own (docs/model-server.md) and the pod's credentials. */
final class ModelFetchSettings {
    static final FetchSettings.Caller CALLER = new FetchSettings.Caller("robustml-model-server",
            "ROBUSTML_MODEL_CACHE_DIR", "ROBUSTML_MODEL_MAX_BYTES", "ROBUSTML_MODEL_ALLOW_HTTP");

    private ModelFetchSettings() {
    }

    static FetchSettings from(ModelServerConfig model, Config config) throws FetchException {
        return FetchSettings.of(Path.of(model.cacheDir()), model.maxBytes(), model.connectTimeout(), model.readTimeout(),
                new RetryPolicy(model.fetchAttempts(), model.fetchBackoff(), FetchSettings.MAX_BACKOFF), model.allowHttp(),
                CALLER, name -> config.getOptionalValue(name, String.class));
    }
}
