package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.robustml.controllers.dependent.Dependents;
import io.robustml.controllers.dependent.GpuPlacement;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.ServingDeploymentDependent;
import io.robustml.controllers.status.Conditions;
import io.robustml.controllers.status.EventRecorder;
import io.robustml.controllers.status.ServingProblem;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the serving objects of a RobustModel in shape (through the workflow's dependents, server-side
 * apply) and explains the result in status and events. Thin: decisions live in pure classes.
 */
@Workflow(dependents = {
    @Dependent(type = Dependents.ServiceAccountDependent.class),
    @Dependent(type = Dependents.DetectorConfigMapDependent.class),
    @Dependent(type = ServingDeploymentDependent.class),
    @Dependent(type = Dependents.ServiceDependent.class),
    @Dependent(type = Dependents.DisruptionBudgetDependent.class)
})
@ControllerConfiguration(name = RobustModelReconciler.NAME)
public class RobustModelReconciler implements Reconciler<RobustModel> {
    public static final String NAME = "robustmodel";
    private static final Logger LOG = LoggerFactory.getLogger(RobustModelReconciler.class);

    private final Clock clock;

    public RobustModelReconciler() {
        this(Clock.systemUTC());
    }

    public RobustModelReconciler(Clock clock) {
        this.clock = clock;
    }

    /** Serving pods wake the reconciler: scheduling failures and container exits show up there first. */
    @Override
    public List<EventSource<?, RobustModel>> prepareEventSources(EventSourceContext<RobustModel> context) {
        var pods = InformerEventSourceConfiguration.from(Pod.class, RobustModel.class)
                .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR_NAME)
                .withSecondaryToPrimaryMapper(pod -> {
                    String model = pod.getMetadata().getLabels() == null ? null
                            : pod.getMetadata().getLabels().get(Labels.MODEL);
                    return model == null ? Set.of() : Set.of(new ResourceID(model, pod.getMetadata().getNamespace()));
                })
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<RobustModel> reconcile(RobustModel model, Context<RobustModel> context) {
        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
        ServingReadiness readiness = ServingReadiness.of(ServingDeployment.desiredReplicas(model),
                deployment.map(d -> d.getStatus() == null ? null : d.getStatus().getAvailableReplicas()).orElse(null),
                deployment.map(d -> d.getStatus() == null ? null : d.getStatus().getUpdatedReplicas()).orElse(null),
                deployment.map(d -> d.getMetadata().getGeneration()).orElse(null),
                deployment.map(d -> d.getStatus() == null ? null : d.getStatus().getObservedGeneration()).orElse(null));
        Optional<GpuPlacement> gpu = GpuPlacement.of(model.getSpec().serving == null ? null : model.getSpec().serving.gpu);
        List<Pod> pods = context.getSecondaryResources(Pod.class).stream().toList();
        Optional<ServingProblem> problem = readiness.ready() ? Optional.empty()
                : ServingProblem.diagnose(pods, gpu.map(GpuPlacement::resourceName).orElse(null),
                        gpu.map(GpuPlacement::count).orElse(0));

        RobustModelStatus previous = model.getStatus() == null ? new RobustModelStatus() : model.getStatus();
        RobustModelStatus status = StatusRules.next(previous, model.getMetadata().getGeneration(),
                Revision.of(model.getSpec()), readiness, problem, clock.instant());

        explain(model, previous, status, readiness, problem, context);
        if (Serialization.asJson(previous).equals(Serialization.asJson(status))) {
            return UpdateControl.noUpdate(); // nothing changed: no write, no hot loop
        }
        RobustModel patch = new RobustModel();
        patch.setMetadata(new ObjectMetaBuilder().withName(model.getMetadata().getName())
                .withNamespace(model.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return UpdateControl.patchStatus(patch);
    }

    /** One log line and one event per transition, never per reconcile. */
    private void explain(RobustModel model, RobustModelStatus previous, RobustModelStatus status,
            ServingReadiness readiness, Optional<ServingProblem> problem, Context<RobustModel> context) {
        String id = model.getMetadata().getNamespace() + "/" + model.getMetadata().getName();
        String before = Conditions.find(previous.conditions, Conditions.DEGRADED).filter(c -> "True".equals(c.getStatus()))
                .map(c -> c.getReason()).orElse(null);
        if (problem.isPresent() && !problem.get().reason().equals(before)) {
            LOG.warn("{} revision {}: {}: {}", id, status.stableRevision, problem.get().reason(), problem.get().message());
            EventRecorder.warning(context.getClient(), model, problem.get().reason(), problem.get().message());
        }
        boolean wasReady = Conditions.isTrue(previous.conditions, Conditions.READY);
        if (readiness.ready() && !wasReady) {
            LOG.info("{} revision {}: serving ({})", id, status.stableRevision, readiness.message());
            EventRecorder.normal(context.getClient(), model, "Serving", readiness.message());
        }
    }
}
