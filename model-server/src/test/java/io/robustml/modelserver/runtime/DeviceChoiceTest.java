package io.robustml.modelserver.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.robustml.modelserver.Fixtures;
import org.junit.jupiter.api.Test;

/** The device comes from the pod's spec: a GPU pod whose engine finds no GPU refuses to serve on the CPU. */
class DeviceChoiceTest {
    @Test
    void aGpuAskedForButNotFoundIsRefusedAndTheCpuIsTakenWhenAskedFor() throws Exception {
        var model = Fixtures.MODELS.resolve("fashion-standard.pt");
        try (DjlModel cpu = DjlModel.load(model, "torchscript", new ThreadPlan(1, 1, 1), "cpu")) {
            assertThat(cpu.device().isGpu()).isFalse();
        }
        // This machine and the CPU-only libtorch of the default image have no GPU: the spec's GPU is refused.
        assertThatThrownBy(() -> DjlModel.load(model, "torchscript", new ThreadPlan(1, 1, 1), "gpu"))
                .isInstanceOf(DjlModel.DeviceUnavailableException.class)
                .hasMessageContaining("was given a GPU but the PyTorch engine found none");
        assertThatThrownBy(() -> DjlModel.load(model, "torchscript", new ThreadPlan(1, 1, 1), "tpu"))
                .hasMessageContaining("unknown device 'tpu'");
    }
}
