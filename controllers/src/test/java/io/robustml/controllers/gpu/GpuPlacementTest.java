package io.robustml.controllers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.robustml.crds.model.GpuSpec;
import org.junit.jupiter.api.Test;

class GpuPlacementTest {
    private static GpuSpec gpu(Integer count, String product, String mig) {
        GpuSpec g = new GpuSpec();
        g.count = count;
        g.product = product;
        g.mig = mig;
        return g;
    }

    @Test
    void cpuOnlyWithoutGpusOrWithZero() {
        assertThat(GpuPlacement.of(null)).isEmpty();
        assertThat(GpuPlacement.of(gpu(0, null, null))).isEmpty();
    }

    @Test
    void wholeGpusRequestTheDevicePluginResourceAndTolerateItsTaint() {
        GpuPlacement p = GpuPlacement.of(gpu(2, null, null)).orElseThrow();
        assertThat(p.resources()).containsExactly(java.util.Map.entry("nvidia.com/gpu", new Quantity("2")));
        assertThat(p.toleration().getKey()).isEqualTo("nvidia.com/gpu");
        assertThat(p.toleration().getOperator()).isEqualTo("Exists");
        assertThat(p.affinity()).isEmpty();
    }

    @Test
    void aMigProfileRequestsItsOwnResource() {
        assertThat(GpuPlacement.of(gpu(1, null, "1g.5gb")).orElseThrow().resourceName()).isEqualTo("nvidia.com/mig-1g.5gb");
    }

    @Test
    void aProductBecomesARequiredNodeAffinityOnTheFeatureDiscoveryLabel() {
        var term = GpuPlacement.of(gpu(1, "NVIDIA-L4", null)).orElseThrow().affinity().orElseThrow().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0).getMatchExpressions().get(0);
        assertThat(term.getKey()).isEqualTo("nvidia.com/gpu.product");
        assertThat(term.getOperator()).isEqualTo("In");
        assertThat(term.getValues()).containsExactly("NVIDIA-L4");
    }
}
