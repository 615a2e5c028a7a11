package io.robustml.modelserver.runtime;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Owns the served model: verifies the file's digest, loads it in the background (so liveness answers
 * at once) and reports its state. A digest mismatch or load failure is final: the server stays live
 * but never ready, and says why.
 */
@ApplicationScoped
public class ModelRuntime {
    private static final Logger LOG = Logger.getLogger(ModelRuntime.class);

    private final ModelServerConfig config;
    private volatile ModelState state = new ModelState(ModelState.Phase.LOADING, "loading");
    private volatile DjlModel model;

    public ModelRuntime(ModelServerConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Thread loader = new Thread(this::load, "model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        DjlModel m = model;
        if (m != null) {
            m.close();
        }
    }

    private void load() {
        try {
            Path file = localPath(config.uri());
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("model file " + file + " does not exist");
            }
            ModelDigest.verify(file, config.sha256());
            int pool = config.predictors() > 0 ? config.predictors() : Runtime.getRuntime().availableProcessors();
            long t0 = System.nanoTime();
            model = DjlModel.load(file, config.format(), pool);
            state = new ModelState(ModelState.Phase.READY, "ready");
            LOG.infof("model %s (%s, sha256 %s) loaded on %s in %d ms with %d predictors", config.name(), file,
                    config.sha256(), model.device(), (System.nanoTime() - t0) / 1_000_000, pool);
        } catch (ModelDigest.ModelIntegrityException e) {
            fail("ModelIntegrityFailed: " + e.getMessage(), null);
            if (config.exitOnIntegrityFailure()) {
                writeTerminationMessage(state.message());
                io.quarkus.runtime.Quarkus.asyncExit(3);
            }
        } catch (Exception e) {
            fail("model could not be loaded: " + e.getMessage(), e);
        }
    }

    private void fail(String message, Exception cause) {
        state = new ModelState(ModelState.Phase.FAILED, message);
        LOG.error(message, cause);
    }

    private void writeTerminationMessage(String message) {
        try {
            Files.writeString(Path.of(config.terminationLog()), message);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warnf("could not write the termination message to %s: %s", config.terminationLog(), e.getMessage());
        }
    }

    /** file:///a/b, file:/a/b or a plain path. Remote schemes are fetched by the pod's init step, not here. */
    static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(URI.create(uri));
        }
        if (uri.contains("://")) {
            throw new IllegalStateException("the model server reads local files only; got " + uri
                    + " (the serving pod's init step downloads pvc://, s3:// and https:// models)");
        }
        return Path.of(uri);
    }

    public ModelState state() {
        return state;
    }

    public ModelServerConfig config() {
        return config;
    }

    /** The loaded model; only call when {@link #state()} is ready. */
    public DjlModel model() {
        return model;
    }
}
