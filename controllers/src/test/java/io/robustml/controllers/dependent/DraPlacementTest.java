package io.robustml.controllers.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.robustml.controllers.Revision;
import io.robustml.controllers.gpu.GpuResolution;
import io.robustml.controllers.gpu.GpuResolver;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.GpuSpec;
import io.robustml.controllers.gpu.GpuPlacement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** gpu.allocation: dra — a ResourceClaimTemplate on NVIDIA's device classes instead of extended resources. */
class DraPlacementTest {
    static GpuSpec gpu(String product, String mig, Integer memory) {
        GpuSpec g = new GpuSpec();
        g.count = 1;
        g.product = product;
        g.mig = mig;
        g.minMemoryMiB = memory;
        g.allocation = GpuSpec.Allocation.DRA;
        return g;
    }

    @Test
    void productAndMemoryBecomeCelSelectorsOnTheGpuClass() {
        GpuPlacement p = GpuPlacement.dra(gpu("NVIDIA-A100-SXM4-40GB", null, 20000));
        assertThat(p.dra()).get().satisfies(c -> {
            assertThat(c.deviceClass()).isEqualTo("gpu.nvidia.com");
            assertThat(c.count()).isEqualTo(1);
            assertThat(c.selectors()).containsExactly(
                    "device.attributes['gpu.nvidia.com'].productName in ['NVIDIA-A100-SXM4-40GB', 'NVIDIA A100-SXM4-40GB']",
                    "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('20000Mi')) >= 0");
        });
        assertThat(p.resources()).as("no extended resource with DRA").isEmpty();
    }

    @Test
    void aMigProfileUsesTheMigClass() {
        GpuPlacement p = GpuPlacement.dra(gpu(null, "1g.5gb", null));
        assertThat(p.dra().get().deviceClass()).isEqualTo("mig.nvidia.com");
        assertThat(p.dra().get().selectors()).containsExactly("device.attributes['gpu.nvidia.com'].profile == '1g.5gb'");
    }

    @Test
    void theResolverLeavesDraToTheScheduler() {
        var r = GpuResolver.resolve(gpu(null, null, null), Optional.empty(), Optional.empty(), List.of(), null);
        assertThat(r).isInstanceOfSatisfying(GpuResolution.Placed.class, placed -> {
            assertThat(placed.placement().dra()).isPresent();
            assertThat(placed.eligibleNodes()).isEmpty();
        });
    }

    @Test
    void podsClaimFromTheRevisionsTemplate() {
        RobustModel model = Serialization.unmarshal(getClass().getResourceAsStream("/robustmodel-gpu.yaml"), RobustModel.class);
        model.getMetadata().setNamespace("shop");
        model.getSpec().serving.gpu = gpu("NVIDIA-A100-SXM4-40GB", null, null);
        GpuPlacement p = GpuPlacement.dra(model.getSpec().serving.gpu);
        String revision = Revision.of(model.getSpec());
        var pod = ServingDeployment.desired(model, ServingImages.tagged("robustml", "test"), 2, Optional.of(p)).getSpec().getTemplate().getSpec();
        assertThat(pod.getResourceClaims()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("gpu");
            assertThat(c.getResourceClaimTemplateName()).isEqualTo("fashion-gpu-" + revision + "-gpu");
        });
        var server = pod.getContainers().get(1);
        assertThat(server.getResources().getClaims()).extracting(c -> c.getName()).containsExactly("gpu");
        assertThat(server.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        var template = ServingDeployment.claimTemplate(model, revision, p.dra().get());
        assertThat(template.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("RobustModel"));
        var request = template.getSpec().getSpec().getDevices().getRequests().get(0);
        assertThat(request.getExactly().getDeviceClassName()).isEqualTo("gpu.nvidia.com");
        assertThat(request.getExactly().getCount()).isEqualTo(1L);
        assertThat(request.getExactly().getSelectors()).hasSize(1);
    }

    @Test
    void theTesterJobGetsItsResolvedPlacementAndItsOwnClaim() {
        RobustModel model = Serialization.unmarshal(getClass().getResourceAsStream("/robustmodel-gpu.yaml"), RobustModel.class);
        model.getMetadata().setNamespace("shop");
        GpuSpec gpu = gpu("NVIDIA-A100-SXM4-40GB", null, null);
        gpu.runtimeClassName = "nvidia";
        model.getSpec().rollout.analysis.gpu = gpu;
        var job = io.robustml.controllers.dependent.AnalysisResources.job(model, "fashion-gpu-abc-a1", "abc",
                ServingImages.tagged("robustml", "test"), Optional.of(GpuPlacement.dra(gpu)));
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(pod.getResourceClaims()).singleElement()
                .satisfies(c -> assertThat(c.getResourceClaimTemplateName()).isEqualTo("fashion-gpu-abc-a1-gpu"));
        assertThat(pod.getContainers().get(0).getResources().getClaims()).extracting(c -> c.getName()).containsExactly("gpu");
    }
}
