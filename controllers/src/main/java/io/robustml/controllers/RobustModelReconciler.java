package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.ServingDeploymentDependent;
import io.robustml.controllers.status.Conditions;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the serving objects of a RobustModel in shape (through the workflow's dependents) and
 * explains the result in status. Thin: decisions live in pure classes.
 */
@Workflow(dependents = @Dependent(type = ServingDeploymentDependent.class))
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

    @Override
    public UpdateControl<RobustModel> reconcile(RobustModel model, Context<RobustModel> context) {
        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
        ServingReadiness readiness = ServingReadiness.of(ServingDeployment.desiredReplicas(model),
                deployment.map(d -> d.getStatus() == null ? null : d.getStatus().getAvailableReplicas()).orElse(null),
                deployment.map(d -> d.getStatus() == null ? null : d.getStatus().getUpdatedReplicas()).orElse(null),
                deployment.map(d -> d.getMetadata().getGeneration()).orElse(null),
                deployment.map(d -> d.getStatus() == null ? null : d.getStatus().getObservedGeneration()).orElse(null));

        RobustModelStatus previous = model.getStatus() == null ? new RobustModelStatus() : model.getStatus();
        long generation = model.getMetadata().getGeneration();
        Instant now = clock.instant();

        RobustModelStatus status = new RobustModelStatus();
        status.observedGeneration = generation;
        status.phase = readiness.ready() ? "Ready" : "Pending";
        status.conditions = (Conditions.set(previous.conditions, Conditions.READY, readiness.ready(),
                readiness.reason(), readiness.message(), generation, now));
        status.conditions = (Conditions.set(status.conditions, Conditions.PROGRESSING, !readiness.ready(),
                readiness.ready() ? "Stable" : readiness.reason(), readiness.message(), generation, now));

        if (!readiness.ready() || !Conditions.isTrue(previous.conditions, Conditions.READY)) {
            LOG.info("{}/{} generation {}: {} ({})", model.getMetadata().getNamespace(), model.getMetadata().getName(),
                    generation, readiness.reason(), readiness.message());
        }
        RobustModel patch = new RobustModel();
        patch.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(model.getMetadata().getName()).withNamespace(model.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return UpdateControl.patchStatus(patch);
    }
}
