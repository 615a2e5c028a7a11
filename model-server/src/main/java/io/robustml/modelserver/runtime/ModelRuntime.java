package io.robustml.modelserver.runtime;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.robustml.fetch.FetchException;
import io.robustml.fetch.Fetcher;
import io.robustml.fetch.IntegrityException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Owns the served model: fetches it when it is remote, verifies the file's digest, loads it in the
 * background (so liveness answers at once) and reports its state. A digest mismatch, a failed fetch
 * or a load failure is final: the server stays live but never ready, and says why.
 */
@ApplicationScoped
public class ModelRuntime {
    private static final Logger LOG = Logger.getLogger(ModelRuntime.class);

    private final ModelServerConfig config;
    private final Timer forwardPass;
    private final DistributionSummary forwardRows;
    private volatile ModelState state = new ModelState(ModelState.Phase.LOADING, "loading");
    private volatile DjlModel model;
    private volatile DynamicBatcher.Forward inference;

    public ModelRuntime(ModelServerConfig config, MeterRegistry registry) {
        this.config = config;
        this.forwardPass = Timer.builder("robustml_model_inference_seconds")
                .description("Time of one forward pass (one request, or several merged by dynamic batching)")
                .publishPercentileHistogram().register(registry);
        this.forwardRows = DistributionSummary.builder("robustml_model_forward_batch_rows")
                .description("Rows per forward pass: a request's own, or several requests' merged by dynamic batching")
                .register(registry);
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
            var settings = ModelFetchSettings.from(config, ConfigProvider.getConfig());
            // Readiness says what the fetch is doing (progress, retries) until the model is loaded.
            Fetcher fetcher = new Fetcher(settings,
                    message -> state = new ModelState(ModelState.Phase.LOADING, message), Clock.systemUTC());
            Path file = fetcher.fetch("model", config.uri(), config.sha256());
            ThreadPlan threads = ThreadPlan.of(Runtime.getRuntime().availableProcessors(), config.predictors(),
                    config.intraOpThreads());
            state = new ModelState(ModelState.Phase.LOADING, "loading " + file);
            long t0 = System.nanoTime();
            model = DjlModel.load(file, config.format(), threads, config.device());
            inference = inference(model, threads);
            state = new ModelState(ModelState.Phase.READY, "ready");
            LOG.infof("model %s (%s, sha256 %s) loaded on %s in %d ms: %d instances, %d intra-op threads each, %s",
                    config.name(), file, config.sha256(), model.device(), (System.nanoTime() - t0) / 1_000_000,
                    threads.instances(), threads.intraOpThreads(), describe(config.batching()));
        } catch (IntegrityException e) {
            fail("ModelIntegrityFailed: " + e.getMessage(), null);
            if (config.exitOnIntegrityFailure()) {
                writeTerminationMessage(state.message());
                io.quarkus.runtime.Quarkus.asyncExit(3);
            }
        } catch (DjlModel.DeviceUnavailableException e) {
            // Serving on the CPU what the spec gave a GPU would pass its analysis at the wrong speed and cost.
            fail("ModelDeviceUnavailable: " + e.getMessage(), null);
            writeTerminationMessage(state.message());
            io.quarkus.runtime.Quarkus.asyncExit(5);
        } catch (FetchException e) {
            // The message names the source without credentials; the cause is not kept (see FetchException).
            fail("ModelFetchFailed: " + e.getMessage(), null);
            if (config.exitOnFetchFailure()) {
                writeTerminationMessage(state.message());
                io.quarkus.runtime.Quarkus.asyncExit(4);
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

    /** The timed forward pass, behind the dynamic batcher when batching is on. */
    private DynamicBatcher.Forward inference(DjlModel loaded, ThreadPlan threads) {
        DynamicBatcher.Forward timed = (data, shape) -> {
            long t0 = System.nanoTime();
            Prediction p = loaded.predict(data, shape);
            forwardPass.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return p;
        };
        ModelServerConfig.Batching b = config.batching();
        if (!b.enabled()) {
            return (data, shape) -> {
                forwardRows.record(shape[0]);
                return timed.run(data, shape);
            };
        }
        BatchPolicy policy = new BatchPolicy(b.maxBatchSize(), b.preferredBatchSizes().orElse(List.of()),
                TimeUnit.MICROSECONDS.toNanos(b.maxQueueDelayMicroseconds()));
        return new DynamicBatcher(timed, policy, threads.instances(), forwardRows::record)::infer;
    }

    private static String describe(ModelServerConfig.Batching b) {
        return !b.enabled() ? "dynamic batching off"
                : "dynamic batching up to " + b.maxBatchSize() + " rows"
                        + b.preferredBatchSizes().map(p -> ", preferred " + p).orElse("")
                        + ", queue delay " + b.maxQueueDelayMicroseconds() + " µs";
    }

    /**
     * One prediction for these rows (a forward pass of their own or a share of a merged one); only call
     * when {@link #state()} is ready.
     */
    public Prediction predict(float[] data, long[] shape) throws Exception {
        return inference.run(data, shape);
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
