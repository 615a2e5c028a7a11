package io.robustml.modelserver.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A TorchScript or ONNX model loaded with DJL, with a pool of predictors (DJL predictors are not
 * thread-safe). Uses the GPU when the engine finds one, the CPU otherwise.
 */
public final class DjlModel implements AutoCloseable {
    static {
        // Nothing may be downloaded at run time: fail instead of fetching engines or models.
        System.setProperty("ai.djl.offline", "true");
    }

    private final ZooModel<NDList, NDList> model;
    private final BlockingQueue<Predictor<NDList, NDList>> predictors;
    private final Device device;

    private DjlModel(ZooModel<NDList, NDList> model, int poolSize) {
        this.model = model;
        this.device = model.getNDManager().getDevice();
        this.predictors = new ArrayBlockingQueue<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            predictors.add(model.newPredictor());
        }
    }

    /**
     * Loads the file; {@code format} is torchscript or onnx. The engine's threads follow {@code threads}
     * unless the JVM was started with DJL's own {@code ai.djl.pytorch.num_threads} /
     * {@code num_interop_threads} properties (libtorch reads them once, when the engine starts).
     */
    public static DjlModel load(Path file, String format, ThreadPlan threads) throws Exception {
        return load(file, format, threads, "auto");
    }

    /**
     * As {@link #load(Path, String, ThreadPlan)} on {@code device}: {@code auto} (the engine's default: a GPU
     * when it finds one), {@code cpu}, or {@code gpu}, which fails with {@link DeviceUnavailableException}
     * when the engine finds no GPU (a CPU-only libtorch, no driver) instead of serving on the CPU unnoticed.
     */
    public static DjlModel load(Path file, String format, ThreadPlan threads, String device) throws Exception {
        String engine = switch (format) {
            case "torchscript" -> "PyTorch";
            case "onnx" -> "OnnxRuntime";
            default -> throw new IllegalArgumentException("unknown model format '" + format + "' (torchscript or onnx)");
        };
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads.intraOpThreads()));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", String.valueOf(threads.interOpThreads()));
        }
        Device found = Engine.getEngine(engine).defaultDevice();
        Device chosen = switch (device) {
            case "auto" -> found;
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (!found.isGpu()) {
                    throw new DeviceUnavailableException("the pod was given a GPU but the " + engine + " engine found none (engine "
                            + Engine.getEngine(engine).getVersion() + ", default device " + found
                            + "): this image's libtorch is CPU-only or the CUDA driver is not mounted; use a CUDA image "
                            + "(spec.serving.image)");
                }
                yield found;
            }
            default -> throw new IllegalArgumentException("unknown device '" + device + "' (auto, cpu or gpu)");
        };
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(file)
                .optEngine(engine)
                .optDevice(chosen)
                .optOption("intraOpNumThreads", String.valueOf(threads.intraOpThreads()))
                .optOption("interOpNumThreads", String.valueOf(threads.interOpThreads()))
                .build();
        return new DjlModel(criteria.loadModel(), threads.instances());
    }

    public Device device() {
        return device;
    }

    /** One forward pass over the whole batch: {@code shape[0]} is the batch size. */
    public Prediction predict(float[] data, long[] shape) throws Exception {
        Predictor<NDList, NDList> predictor = predictors.take();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray input = manager.create(data, new Shape(shape));
            NDList output = predictor.predict(new NDList(input));
            NDArray logits = output.get(0);
            return new Prediction(logits.toFloatArray(), logits.getShape().getShape());
        } finally {
            predictors.add(predictor);
        }
    }

    /** The device the spec asks for is not there; final for this process. */
    public static final class DeviceUnavailableException extends Exception {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        predictors.forEach(Predictor::close);
        model.close();
    }
}
