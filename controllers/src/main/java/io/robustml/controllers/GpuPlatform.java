package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.robustml.controllers.gpu.GpuPlacement;
import io.robustml.controllers.gpu.ClusterPolicyView;
import io.robustml.controllers.gpu.GpuResolution;
import io.robustml.controllers.gpu.GpuResolver;
import io.robustml.controllers.gpu.NodeView;
import io.robustml.controllers.gpu.SharingConfig;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.GpuSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads how the platform runs its GPUs — Nodes and, when its CRD exists, the GPU Operator's
 * ClusterPolicy (both watched, so a change re-resolves every GPU model) and the device-plugin config
 * it names — and hands them to the pure {@link GpuResolver}. Without permission to watch nodes it
 * falls back to the spec alone; without the ClusterPolicy CRD the nodes alone decide.
 */
final class GpuPlatform {
    private static final Logger LOG = LoggerFactory.getLogger(GpuPlatform.class);
    static final String NODES = "gpu-nodes";
    static final String POLICIES = "clusterpolicies";
    static final ResourceDefinitionContext POLICY_CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(ClusterPolicyView.GROUP).withVersion(ClusterPolicyView.VERSION).withKind(ClusterPolicyView.KIND)
            .withPlural(ClusterPolicyView.PLURAL).withNamespaced(false).build();

    private boolean nodesWatched;
    private boolean policiesWatched;

    /** The Node and ClusterPolicy watches this operator may have; each mapped to every GPU model. */
    List<EventSource<?, RobustModel>> eventSources(EventSourceContext<RobustModel> context) {
        KubernetesClient client = context.getClient();
        SecondaryToPrimaryMapper<Node> nodeToModels = n -> gpuModels(context);
        List<EventSource<?, RobustModel>> sources = new ArrayList<>();
        if (allowed(() -> client.nodes().list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()), "list nodes")) {
            sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(Node.class, RobustModel.class)
                    .withName(NODES).withWatchAllNamespaces().withFollowControllerNamespacesChanges(false)
                    .withSecondaryToPrimaryMapper(nodeToModels)
                    // Heartbeats change nothing that matters: only labels, allocatable and cordoning do.
                    .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getLabels(),
                            before.getMetadata().getLabels())
                            || !Objects.equals(NodeView.of(now), NodeView.of(before)))
                    .build(), context));
            nodesWatched = true;
        }
        if (allowed(() -> client.genericKubernetesResources(POLICY_CONTEXT).list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build()), "list ClusterPolicies")) {
            SecondaryToPrimaryMapper<GenericKubernetesResource> policyToModels = p -> gpuModels(context);
            sources.add(new InformerEventSource<>(InformerEventSourceConfiguration.from(
                    new GroupVersionKind(ClusterPolicyView.GROUP, ClusterPolicyView.VERSION, ClusterPolicyView.KIND),
                    RobustModel.class).withName(POLICIES).withWatchAllNamespaces()
                    .withFollowControllerNamespacesChanges(false).withSecondaryToPrimaryMapper(policyToModels).build(),
                    context));
            policiesWatched = true;
        }
        return sources;
    }

    private static java.util.Set<ResourceID> gpuModels(EventSourceContext<RobustModel> context) {
        return context.getPrimaryCache().list(GpuPlatform::usesGpu).map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    static boolean usesGpu(RobustModel m) {
        return m.getSpec() != null && m.getSpec().serving != null && m.getSpec().serving.gpu != null
                && m.getSpec().serving.gpu.count != null && m.getSpec().serving.gpu.count > 0;
    }

    /** False (and why, in the log) when the API answers 404 (no CRD) or 403 (no permission). */
    private static boolean allowed(Runnable call, String what) {
        try {
            call.run();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.info("cannot {}: not installed (404); GPU requests are resolved without it", what);
            } else {
                LOG.warn("cannot {} ({}): GPU requests are resolved without it", what, e.getCode());
            }
            return false;
        }
    }

    /** The serving pods' GPU request resolved against the platform as it is now. */
    GpuResolution resolve(RobustModel model, Context<RobustModel> context) {
        return resolve(model.getSpec().serving == null ? null : model.getSpec().serving.gpu,
                model.getSpec().serving == null ? null : model.getSpec().serving.nodeSelector, context);
    }

    /** The tester Job's GPUs (rollout.analysis.gpu), resolved the same way. */
    GpuResolution resolveTester(RobustModel model, Context<RobustModel> context) {
        var rollout = model.getSpec().rollout;
        return resolve(rollout == null || rollout.analysis == null ? null : rollout.analysis.gpu, null, context);
    }

    GpuResolution resolve(GpuSpec spec, Map<String, String> nodeSelector, Context<RobustModel> context) {
        if (spec == null || spec.count == null || spec.count == 0) {
            return new GpuResolution.CpuOnly();
        }
        if (!nodesWatched && spec.allocation != GpuSpec.Allocation.DRA) {
            return new GpuResolution.Placed(GpuPlacement.of(spec).orElseThrow(), List.of());
        }
        Optional<ClusterPolicyView> policy = policiesWatched
                ? ClusterPolicyView.choose(cache(context, GenericKubernetesResource.class, POLICIES).list().toList())
                : Optional.empty();
        Optional<SharingConfig> sharing = policy.filter(p -> p.configMap() != null)
                .flatMap(p -> sharingConfig(context.getClient(), p));
        return GpuResolver.resolve(spec, policy, sharing, nodes(context), nodeSelector);
    }

    List<NodeView> nodes(Context<RobustModel> context) {
        return nodesWatched ? cache(context, Node.class, NODES).list().map(NodeView::of).toList() : List.of();
    }

    /** Pods bound to these nodes, in every namespace; empty (no capacity check) without permission. */
    static Optional<List<Pod>> podsOn(KubernetesClient client, List<String> nodes) {
        List<Pod> pods = new ArrayList<>();
        try {
            for (String node : nodes) {
                pods.addAll(client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems());
            }
            return Optional.of(pods);
        } catch (KubernetesClientException e) {
            LOG.warn("cannot list the pods on GPU nodes ({}): no capacity check before canaries", e.getCode());
            return Optional.empty();
        }
    }

    private static Optional<SharingConfig> sharingConfig(KubernetesClient client, ClusterPolicyView policy) {
        try {
            ConfigMap cm = client.configMaps().inNamespace(policy.configNamespace()).withName(policy.configMap()).get();
            return cm == null ? Optional.empty() : Optional.of(SharingConfig.of(cm.getData(), policy.defaultConfig()));
        } catch (KubernetesClientException e) {
            LOG.warn("cannot read the device-plugin config {}/{} ({}): sharing is read from node labels only",
                    policy.configNamespace(), policy.configMap(), e.getCode());
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, RobustModel> cache(
            Context<RobustModel> context, Class<R> type, String name) {
        return (InformerEventSource<R, RobustModel>) context.eventSourceRetriever().getEventSourceFor(type, name);
    }

    static Map<String, Long> free(List<NodeView> nodes, String resource, List<Pod> pods) {
        return io.robustml.controllers.gpu.GpuCapacity.free(nodes, resource, pods);
    }
}
