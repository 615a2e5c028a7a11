package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.ServingImages;
import io.robustml.controllers.dependent.ServingRoute;
import io.robustml.controllers.dependent.ServingService;
import io.robustml.controllers.dependent.AnalysisResources;
import io.robustml.crds.RobustModel;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out what the planner decided. The Deployment of the revision the spec names is applied
 * from the spec (server-side apply); any other running revision (stable while a canary is analysed)
 * is only scaled — its pod template is the record of what that revision is, and the spec no longer
 * describes it. Revisions out of the plan are deleted with their Service. An object the informer's cache
 * already holds as we would apply it is not applied again (JOSDK's server-side-apply matcher, the one its
 * dependents use): a reconcile of a settled model writes nothing, and a manual edit still differs and is reverted.
 * Everything is applied under the controller's one field manager.
 */
final class ServingActuator {
    /** Explicit, so that no API discovery is needed to address HTTPRoutes. */
    private static final ResourceDefinitionContext ROUTES = new ResourceDefinitionContext.Builder()
            .withGroup("gateway.networking.k8s.io").withVersion("v1").withKind(ServingRoute.KIND)
            .withPlural("httproutes").withNamespaced(true).build();
    private final KubernetesClient client;
    private final Context<RobustModel> context;
    private final RobustModel model;
    private final ServingImages images;
    private final String fieldManager;

    ServingActuator(Context<RobustModel> context, RobustModel model, ServingImages images) {
        this.client = context.getClient();
        this.context = context;
        this.model = model;
        this.images = images;
        this.fieldManager = context.getControllerConfiguration().fieldManager();
    }

    /**
     * @param gpu         the desired revision's GPU placement, resolved against the platform
     * @param holdDesired the desired revision must not get pods now (its GPUs cannot be had, or its
     *                    canary waits for capacity): it is neither created nor changed, only scaled
     *                    down to what the plan allows if it exists
     */
    void apply(String desiredRevision, Map<String, Integer> plan, Map<String, Deployment> existing,
            Optional<io.robustml.controllers.gpu.GpuPlacement> gpu, boolean holdDesired) {
        String ns = model.getMetadata().getNamespace();
        plan.forEach((revision, replicas) -> {
            Deployment current = existing.get(revision);
            if (revision.equals(desiredRevision) && holdDesired) {
                if (current == null) {
                    return;
                }
            }
            if (revision.equals(desiredRevision) && !holdDesired) {
                gpu.flatMap(io.robustml.controllers.gpu.GpuPlacement::dra).ifPresent(claim ->
                        apply(ServingDeployment.claimTemplate(model, revision, claim)));
                applyUnlessHeld(ServingDeployment.desired(model, images, replicas, gpu), current);
            } else if (current != null && !Integer.valueOf(replicas).equals(current.getSpec().getReplicas())) {
                client.apps().deployments().inNamespace(ns).withName(current.getMetadata().getName())
                        .edit(d -> {
                            d.getSpec().setReplicas(replicas);
                            return d;
                        });
            }
            if (current != null || revision.equals(desiredRevision)) {
                Service service = ServingService.forRevision(model, revision);
                applyUnlessHeld(service, cachedService(service.getMetadata().getName()));
            }
        });
        existing.forEach((revision, deployment) -> {
            if (!plan.containsKey(revision)) {
                client.apps().deployments().inNamespace(ns).withName(deployment.getMetadata().getName()).delete();
                client.services().inNamespace(ns).withName(ServingDeployment.name(model, revision)).delete();
                if (deployment.getSpec().getTemplate().getSpec().getResourceClaims() != null
                        && !deployment.getSpec().getTemplate().getSpec().getResourceClaims().isEmpty()) {
                    client.resources(io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate.class).inNamespace(ns)
                            .withName(ServingDeployment.claimTemplateName(model, revision)).delete();
                }
            }
        });
    }

    /**
     * The model's Service for the decided stable revision, at once rather than on the next reconcile (a
     * promoted first release starts serving now); applied as its dependent applies it, so that one manager
     * owns its selector.
     */
    void service(String stable) {
        apply(ServingService.desired(model, stable));
    }

    /**
     * The weighted HTTPRoute, applied before any revision's pods go (so the route never sends traffic
     * to pods being removed); or, when the model stopped using weights, the route we made is deleted.
     */
    void route(Optional<GenericKubernetesResource> route, boolean hadRoute, String stable) {
        if (route.isPresent()) {
            service(stable);
            apply(route.get());
        } else if (hadRoute) {
            client.genericKubernetesResources(ROUTES).inNamespace(model.getMetadata().getNamespace())
                    .withName(model.getMetadata().getName()).delete();
        }
    }

    /**
     * Creates the attempt's run and Job if absent; the tester's Role is narrowed to the open runs
     * ({@code testerRuns}: this one, and the stable baseline's while it is measured).
     */
    void startAnalysis(String runName, String revision, String identity, Optional<io.robustml.controllers.gpu.GpuPlacement> gpu,
            java.util.List<String> testerRuns) {
        start(AnalysisResources.run(model, runName, revision), identity, revision, gpu, testerRuns,
                AnalysisResources.job(model, runName, revision, images, gpu));
    }

    /** As above for the stable revision's baseline run: its own model file, taken from its Deployment. */
    void startBaseline(String runName, String revision, String identity, Deployment stable,
            Optional<io.robustml.controllers.gpu.GpuPlacement> gpu, java.util.List<String> testerRuns) {
        start(AnalysisResources.baselineRun(model, runName, revision, stable), identity, revision, gpu, testerRuns,
                AnalysisResources.baselineJob(model, runName, revision, images, gpu, stable));
    }

    private void start(io.robustml.crds.AdversarialTestRun run, String identity, String revision,
            Optional<io.robustml.controllers.gpu.GpuPlacement> gpu, java.util.List<String> testerRuns,
            io.fabric8.kubernetes.api.model.batch.v1.Job job) {
        String runName = run.getMetadata().getName();
        if (run.getMetadata().getAnnotations() == null) {
            run.getMetadata().setAnnotations(new java.util.HashMap<>());
        }
        run.getMetadata().getAnnotations().put(AnalysisResources.IDENTITY_ANNOTATION, identity);
        ensureTesterKey();
        apply(AnalysisResources.serviceAccount(model));
        apply(AnalysisResources.role(model, testerRuns.contains(runName) ? testerRuns
                : java.util.stream.Stream.concat(testerRuns.stream(), java.util.stream.Stream.of(runName)).toList()));
        apply(AnalysisResources.roleBinding(model));
        createIfAbsent(run); // a run of this name made for something else stays as it is: the planner never judges it
        createIfAbsent(AnalysisResources.reportConfigMap(model, runName, revision));
        gpu.flatMap(io.robustml.controllers.gpu.GpuPlacement::dra).ifPresent(claim -> apply(ServingDeployment
                .claimTemplate(model, AnalysisResources.claimTemplateName(runName), AnalysisResources.COMPONENT, revision,
                        claim)));
        createIfAbsent(job);
    }

    /** The operator's verdict (and the SLOs it found violated) merged into the run's status. */
    void recordVerdict(String runName, String verdict, java.util.List<String> violatedSlos) {
        java.util.Map<String, Object> status = new java.util.LinkedHashMap<>();
        status.put("verdict", verdict);
        status.put("violatedSlos", violatedSlos == null || violatedSlos.isEmpty() ? null : violatedSlos);
        client.resources(io.robustml.crds.AdversarialTestRun.class).inNamespace(model.getMetadata().getNamespace())
                .withName(runName).subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        client.getKubernetesSerialization().asJson(java.util.Map.of("status", status)));
    }

    /**
     * Deletes a finished run and what {@link #start} made for it alone: its Job (and pod), its report
     * ConfigMap and, with DRA GPUs, its ResourceClaimTemplate. The shared tester account stays.
     */
    void deleteRun(String runName) {
        String ns = model.getMetadata().getNamespace();
        client.resources(io.robustml.crds.AdversarialTestRun.class).inNamespace(ns).withName(runName).delete();
        client.batch().v1().jobs().inNamespace(ns).withName(runName)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
        client.configMaps().inNamespace(ns).withName(AnalysisResources.reportConfigMapName(runName)).delete();
        try {
            client.resources(io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate.class).inNamespace(ns)
                    .withName(AnalysisResources.claimTemplateName(runName)).delete();
        } catch (KubernetesClientException e) {
            // A cluster without the DRA API has no such template to delete.
        }
    }

    private void apply(HasMetadata object) {
        client.resource(object).fieldManager(fieldManager).forceConflicts().serverSideApply();
    }

    /** Applies {@code desired} unless {@code cached} (the informer's copy, or null) already holds it as we applied it. */
    private void applyUnlessHeld(HasMetadata desired, HasMetadata cached) {
        if (cached == null || !SSABasedGenericKubernetesResourceMatcher.getInstance().matches(cached, desired, context)) {
            apply(desired);
        }
    }

    private HasMetadata cachedService(String name) {
        return context.getSecondaryResources(Service.class).stream().filter(s -> name.equals(s.getMetadata().getName()))
                .findFirst().orElse(null);
    }

    /** The model's tester key Secret, made once (a 409 means it is there; the operator never reads it). */
    void ensureTesterKey() {
        createIfAbsent(io.robustml.controllers.dependent.TesterKey.desired(model));
    }

    private void createIfAbsent(HasMetadata object) {
        try {
            client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }
}
