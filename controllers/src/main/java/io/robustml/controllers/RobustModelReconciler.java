package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.robustml.controllers.dependent.Dependents;
import io.robustml.controllers.dependent.DetectorConfigMap;
import io.robustml.controllers.gpu.GpuPlacement;
import io.robustml.controllers.dependent.ServingDeployment;
import io.robustml.controllers.dependent.ServingImages;
import io.robustml.controllers.dependent.ServingRoute;
import io.robustml.controllers.gpu.GpuCapacity;
import io.robustml.controllers.gpu.GpuResolution;
import io.robustml.controllers.gpu.NodeView;
import io.robustml.controllers.guard.Baseline;
import io.robustml.controllers.guard.BurnRate;
import io.robustml.controllers.guard.CounterReader;
import io.robustml.controllers.guard.GuardSettings;
import io.robustml.controllers.guard.PostPromotionGuard;
import io.robustml.controllers.dependent.AnalysisResources;
import io.robustml.controllers.rollout.RolloutAction;
import io.robustml.controllers.rollout.RolloutPlanner;
import io.robustml.controllers.rollout.RunRetention;
import io.robustml.controllers.rollout.Requests;
import io.robustml.controllers.rollout.RescanContainment;
import io.robustml.controllers.rollout.RescanSchedule;
import io.robustml.controllers.rollout.RolloutSettings;
import io.robustml.controllers.rollout.RunObservation;
import io.robustml.controllers.rollout.ServingPlan;
import io.robustml.controllers.status.EventRecorder;
import io.robustml.controllers.status.Reasons;
import io.robustml.controllers.status.ServingProblem;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RolloutSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thin: observes, asks the pure {@link RolloutPlanner} what to do, records the decision in status
 * (optimistic locking: a decision taken on a stale view is never acted on), then acts — analysis
 * objects, one Deployment per running revision, events. The shared objects (ServiceAccount, detector
 * ConfigMap, Service, PodDisruptionBudget) are the workflow's dependents.
 */
@Workflow(dependents = {
    @Dependent(type = Dependents.ServiceAccountDependent.class),
    @Dependent(type = Dependents.DetectorConfigMapDependent.class),
    @Dependent(type = Dependents.ServiceDependent.class),
    @Dependent(type = Dependents.DisruptionBudgetDependent.class),
    @Dependent(type = Dependents.ServingRoleDependent.class),
    @Dependent(type = Dependents.ServingRoleBindingDependent.class),
    @Dependent(type = Dependents.NetworkPolicyDependent.class)
})
@ControllerConfiguration(name = RobustModelReconciler.NAME, fieldManager = RobustModelReconciler.FIELD_MANAGER,
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SpecOrRequestChanged.class))
// Never give up on a model: JOSDK's default (5 attempts) left models without status for good when the
// API server was overloaded (ScaleBenchmark, 1,000 models on 2 cores); back off to at most a minute.
@GradualRetry(maxAttempts = -1, initialInterval = 1000, intervalMultiplier = 2.0, maxInterval = 60_000)
public class RobustModelReconciler implements Reconciler<RobustModel> {
    public static final String NAME = "robustmodel";
    static final String FIELD_MANAGER = "robustml-operator";
    private static final Logger LOG = LoggerFactory.getLogger(RobustModelReconciler.class);
    /** While an analysis runs, look again at least this often (timeouts have no event of their own). */
    private static final Duration ANALYSIS_POLL = Duration.ofSeconds(15);

    private final Clock clock;
    /** Models whose tester key Secret this operator has made sure of (uids). */
    private final Set<String> testerKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Invalid re-scan schedules already reported (uid and schedule). */
    private final Set<String> invalidSchedules = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ServingImages images;
    private final RolloutMetrics metrics;
    private final AnalysisMetrics analysisMetrics;
    private final GpuPlatform gpuPlatform = new GpuPlatform();
    private final CounterReader counters;
    /** While a canary waits for GPUs, look again this often (pods elsewhere that free GPUs send no event here). */
    private static final Duration CAPACITY_POLL = Duration.ofSeconds(10);

    /**
     * In the operator: the images come from its configuration (robustml.images.*); metrics go to
     * Micrometer's global registry, which Quarkus exports.
     */
    @jakarta.inject.Inject
    public RobustModelReconciler(ServingImages images) {
        this(Clock.systemUTC(), images, io.micrometer.core.instrument.Metrics.globalRegistry);
    }

    public RobustModelReconciler(Clock clock, ServingImages images, io.micrometer.core.instrument.MeterRegistry registry) {
        this(clock, images, registry, CounterReader.overHttp(ServingDeployment.SIDECAR_METRICS_PORT));
    }

    /** @param counters how the post-promotion guard reads the sidecars' counters (rollout.guard) */
    public RobustModelReconciler(Clock clock, ServingImages images, io.micrometer.core.instrument.MeterRegistry registry,
            CounterReader counters) {
        this.counters = counters;
        this.clock = clock;
        this.images = images;
        this.metrics = new RolloutMetrics(registry);
        this.analysisMetrics = new AnalysisMetrics(registry);
    }

    /** Pods, revision Deployments, analysis runs and Jobs wake the reconciler of their model. */
    @Override
    public List<EventSource<?, RobustModel>> prepareEventSources(EventSourceContext<RobustModel> context) {
        List<EventSource<?, RobustModel>> sources = new java.util.ArrayList<>(List.of(byModelLabel(Pod.class, context),
                byModelLabel(Deployment.class, context), byModelLabel(Job.class, context),
                byModelLabel(AdversarialTestRun.class, context)));
        sources.addAll(gpuPlatform.eventSources(context));
        return sources;
    }

    /** Finished runs (with their Jobs and reports) beyond spec.rollout.analysis.retention go; see {@link RunRetention}. */
    private void pruneRuns(RobustModel model, RobustModelStatus status, Context<RobustModel> context, ServingActuator actuator) {
        var analysis = model.getSpec().rollout == null ? null : model.getSpec().rollout.analysis;
        var retention = analysis == null ? null : analysis.retention;
        int keep = retention == null || retention.runs == null
                ? Integer.parseInt(RolloutSpec.RetentionSpec.DEFAULT_RUNS) : retention.runs;
        Duration maxAge = Durations.parse(retention == null || retention.maxAge == null
                ? RolloutSpec.RetentionSpec.DEFAULT_MAX_AGE : retention.maxAge);
        for (String run : RunRetention.expired(context.getSecondaryResources(AdversarialTestRun.class), status, keep, maxAge,
                clock.instant())) {
            LOG.info("{}/{}: deleting finished analysis run {}, its Job and its report (retention: {} runs, {})",
                    model.getMetadata().getNamespace(), model.getMetadata().getName(), run, keep, maxAge);
            actuator.deleteRun(run);
        }
    }

    /** The serving revisions' latest analysis figures as gauges; models gone from the cache lose theirs. */
    private void exportAnalyses(RobustModel model, RobustModelStatus status, Context<RobustModel> context) {
        Set<String> serving = new java.util.HashSet<>();
        if (status.stableRevision != null) {
            serving.add(status.stableRevision);
        }
        if (status.canaryRevision != null) {
            serving.add(status.canaryRevision);
        }
        analysisMetrics.record(model.getMetadata().getNamespace(), model.getMetadata().getName(),
                context.getSecondaryResources(AdversarialTestRun.class), serving);
        analysisMetrics.retainModels(context.getPrimaryCache().list()
                .map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName()).collect(Collectors.toSet()));
    }

    private static <R extends HasMetadata> EventSource<R, RobustModel> byModelLabel(Class<R> type,
            EventSourceContext<RobustModel> context) {
        var config = InformerEventSourceConfiguration.from(type, RobustModel.class)
                .withName(type.getSimpleName().toLowerCase())
                .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR_NAME)
                .withSecondaryToPrimaryMapper(r -> {
                    String model = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get(Labels.MODEL);
                    return model == null ? Set.of() : Set.of(new ResourceID(model, r.getMetadata().getNamespace()));
                })
                .build();
        return new InformerEventSource<>(config, context);
    }

    /**
     * One pass: what the model's objects show and what follows from it ({@link #decide}, nothing written), the
     * decision recorded in status (a stale view is refused there and acts on nothing), then acted on.
     */
    @Override
    public UpdateControl<RobustModel> reconcile(RobustModel model, Context<RobustModel> context) {
        Outcome outcome = decide(model, context);
        metrics.countFrom(() -> context.getPrimaryCache().list().toList());
        metrics.known(model);
        if (!record(model, outcome, context)) {
            // Our view was stale: decide again on fresh data, and do nothing on this one.
            return UpdateControl.<RobustModel>noUpdate().rescheduleAfter(Duration.ofMillis(500));
        }
        return act(model, outcome, context);
    }

    /**
     * Everything a pass decided, from one observation: the status to record (complete: nothing edits it afterwards)
     * and what to do after recording it.
     *
     * @param desired          the revision the spec names
     * @param previous         the status this pass started from
     * @param deployments      the serving Deployments by revision
     * @param desiredIsCanary  a revision already serves and the spec names another
     * @param gpu              the desired revision's GPU placement, if it has one
     * @param hold             the desired revision gets no (new) pods now (GPUs unavailable, or its canary waits for capacity)
     * @param waitsForCapacity held while a placement exists: look again on the capacity clock
     */
    private record Outcome(String desired, RobustModelStatus previous, RobustModelStatus status, List<RolloutAction> actions,
            Map<String, Deployment> deployments, int specReplicas, int canaryReplicas, boolean desiredIsCanary,
            ServingReadiness desiredReadiness, Optional<GpuPlacement> gpu, boolean hold, boolean waitsForCapacity,
            Optional<ServingProblem> problem, RolloutSettings settings, Optional<GuardSettings> guardSettings) {
    }

    /** Observes the model's objects and decides: the planner, the guard, GPU capacity and the status rules. Writes nothing. */
    private Outcome decide(RobustModel model, Context<RobustModel> context) {
        String desired = Revision.of(model.getSpec());
        RobustModelStatus previous = model.getStatus() == null ? new RobustModelStatus() : model.getStatus();
        Map<String, Deployment> deployments = context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> ServingDeployment.COMPONENT.equals(d.getMetadata().getLabels().get(Labels.COMPONENT)))
                .filter(d -> d.getMetadata().getLabels().get(Labels.REVISION) != null)
                .collect(Collectors.toMap(d -> d.getMetadata().getLabels().get(Labels.REVISION), d -> d, (a, b) -> a));

        int specReplicas = ServingDeployment.desiredReplicas(model);
        int canaryReplicas = canaryReplicas(model);
        boolean desiredIsCanary = previous.stableRevision != null && !desired.equals(previous.stableRevision);
        ServingReadiness desiredReadiness = readiness(deployments.get(desired), desiredIsCanary ? canaryReplicas : specReplicas);

        RolloutSettings settings = settings(model);
        reportInvalidSchedule(model, Optional.ofNullable(settings.rescan().schedule()), context);
        RolloutPlanner.Decision planned = RolloutPlanner.decide(model.getMetadata().getName(), desired,
                model.getSpec().model.sha256, previous, desiredReadiness.ready(),
                observe(previous.analysis == null ? null : previous.analysis.runName, context),
                observe(previous.analysis == null ? null : previous.analysis.baselineRunName, context),
                observe(previous.rescan == null ? null : previous.rescan.runName, context),
                Requests.from(model.getMetadata().getAnnotations()), settings, clock.instant());

        Optional<GuardSettings> guardSettings = GuardSettings.of(model.getSpec());
        RolloutPlanner.Decision decision = guard(model, planned, guardSettings, deployments, specReplicas, settings, context);
        RobustModelStatus decided = decision.status();
        ServingReadiness stableReadiness = decided.stableRevision == null ? null
                : readiness(deployments.get(decided.stableRevision), specReplicas);
        GpuResolution resolution = gpuPlatform.resolve(model, context);
        Optional<GpuPlacement> gpu = resolution instanceof GpuResolution.Placed placed
                ? Optional.of(placed.placement().keepingAffinityOf(deployments.get(desired)))
                : Optional.empty();
        // The desired revision gets no (new) pods while its GPUs cannot be had or its canary does not fit.
        boolean hold = resolution instanceof GpuResolution.Unsatisfiable;
        Optional<ServingProblem> gpuProblem = resolution instanceof GpuResolution.Unsatisfiable u
                ? Optional.of(new ServingProblem(u.reason(), u.message()))
                : Optional.empty();
        Optional<Integer> lent = Optional.empty();
        if (desiredIsCanary && desired.equals(decided.canaryRevision) && !deployments.containsKey(desired)
                && resolution instanceof GpuResolution.Placed placed && !placed.eligibleNodes().isEmpty()) {
            Optional<GpuCapacity.Decision> fits = canaryCapacity(model, placed, decided, specReplicas, canaryReplicas, context);
            if (fits.isPresent() && fits.get().waits()) {
                hold = true;
                gpuProblem = Optional.of(new ServingProblem(ServingProblem.INSUFFICIENT_GPU, fits.get().waitMessage().get()));
            } else if (fits.isPresent() && fits.get().lend() > 0) {
                lent = Optional.of(fits.get().lend());
            }
        }
        Optional<ServingProblem> problem = desiredReadiness.ready() || desired.equals(decided.rejectedRevision)
                ? Optional.empty()
                : gpuProblem.isPresent() ? gpuProblem
                : ServingProblem.diagnose(podsOf(context, desired), gpu.map(GpuPlacement::resourceName).orElse(null),
                        gpu.map(GpuPlacement::count).orElse(0));
        RobustModelStatus status = StatusRules.next(decided, new StatusRules.Observed(model.getMetadata().getGeneration(),
                desired, stableReadiness, desiredReadiness, problem, lent,
                ServingRoute.weight(model).isPresent() ? model.getMetadata().getName() : null,
                DetectorCalibration.inForce(model.getSpec(), decided.stableRevision,
                        context.getSecondaryResources(AdversarialTestRun.class)).orElse(null)), clock.instant());

        return new Outcome(desired, previous, status, decision.actions(), deployments, specReplicas, canaryReplicas,
                desiredIsCanary, desiredReadiness, gpu, hold, hold && resolution instanceof GpuResolution.Placed, problem,
                settings, guardSettings);
    }

    /** Writes the decided status if it differs; false when the API server refused it as decided on a stale view. */
    private boolean record(RobustModel model, Outcome o, Context<RobustModel> context) {
        if (Serialization.asJson(o.previous()).equals(Serialization.asJson(o.status()))) {
            return true;
        }
        try {
            recordStatus(model, o.status(), context);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw e;
        }
        metrics.transition(model, o.previous(), o.status(), (int) o.actions().stream()
                .filter(a -> a instanceof RolloutAction.StartAnalysis).count());
        return true;
    }

    /** Carries out a recorded decision: analysis objects, events, traffic, the revisions' Deployments, retention. */
    private UpdateControl<RobustModel> act(RobustModel model, Outcome o, Context<RobustModel> context) {
        RobustModelStatus status = o.status();
        RobustModelStatus previous = o.previous();
        exportAnalyses(model, status, context);
        ServingActuator actuator = new ServingActuator(context, model, images);
        // The tester's Role names every run open now: the canary's, the stable baseline's, the stable's re-scan.
        List<String> testerRuns = java.util.stream.Stream.of(status.analysis == null ? null : status.analysis.runName,
                        status.analysis == null ? null : status.analysis.baselineRunName,
                        status.rescan == null ? null : status.rescan.runName)
                .filter(java.util.Objects::nonNull).toList();
        for (RolloutAction action : o.actions()) {
            carryOut(model, action, actuator, testerRuns, o.deployments(), context);
        }
        explainProblem(model, previous, o.problem(), context);
        if (status.stableRevision != null && !status.stableRevision.equals(previous.stableRevision)) {
            // A promotion (a first release, a canary, a guard's rollback target, all Ready): serve it now, not on the next pass.
            actuator.service(status.stableRevision);
        }
        try {
            actuator.route(ServingRoute.desired(model, status.stableRevision, status.canaryRevision,
                    o.desiredIsCanary() && o.desiredReadiness().ready()), previous.trafficRoute != null, status.stableRevision);
        } catch (KubernetesClientException e) {
            // Serving goes on through the model's Service; the route is retried on the next event.
            LOG.warn("{}/{}: cannot apply the HTTPRoute: {}", model.getMetadata().getNamespace(),
                    model.getMetadata().getName(), e.getMessage());
            EventRecorder.warning(context.getClient(), model, "TrafficRouteFailed",
                    "cannot apply HTTPRoute " + model.getMetadata().getName() + " (is the Gateway API installed?): "
                            + e.getMessage());
        }
        if (testerKeys.add(model.getMetadata().getUid())) {
            // Before any serving pod starts, so every sidecar knows the analysis's key (once per model and run of
            // the operator; each analysis makes sure again).
            actuator.ensureTesterKey();
        }
        actuator.apply(o.desired(), ServingPlan.replicas(status, o.specReplicas(), o.canaryReplicas()), o.deployments(), o.gpu(),
                o.hold());
        pruneRuns(model, status, context, actuator);

        UpdateControl<RobustModel> next = next(model, previous, status, o.settings(), o.waitsForCapacity());
        if (o.guardSettings().isPresent() && status.stableRevision != null) {
            // The guard reads the sidecars' counters on its own clock, events or not.
            long every = o.guardSettings().get().interval().toMillis();
            if (next.getScheduleDelay().map(d -> d > every).orElse(true)) {
                return UpdateControl.<RobustModel>noUpdate().rescheduleAfter(every);
            }
        }
        return next;
    }

    /** When to look again, for what the rollout itself waits on. */
    private UpdateControl<RobustModel> next(RobustModel model, RobustModelStatus previous, RobustModelStatus status,
            RolloutSettings settings, boolean waitsForCapacity) {
        if (waitsForCapacity) {
            return UpdateControl.<RobustModel>noUpdate().rescheduleAfter(CAPACITY_POLL);
        }
        if (!Serialization.asJson(previous.detector).equals(Serialization.asJson(status.detector))
                || DetectorConfigMap.blocks(model.getSpec(), previous) != DetectorConfigMap.blocks(model.getSpec(), status)) {
            // The detector ConfigMap (a dependent, rendered from the recorded status) takes the new
            // calibrated threshold, or a re-scan's or the guard's containment, on the next pass; status writes wake nothing, so ask for one.
            return UpdateControl.<RobustModel>noUpdate().rescheduleAfter(Duration.ofMillis(200));
        }
        if (status.analysis != null) {
            return UpdateControl.<RobustModel>noUpdate().rescheduleAfter(nextLook(status.analysis, settings, clock.instant()));
        }
        if (status.rescan != null) {
            return UpdateControl.<RobustModel>noUpdate().rescheduleAfter(ANALYSIS_POLL);
        }
        return RolloutPlanner.nextRescan(status, settings)
                .map(due -> UpdateControl.<RobustModel>noUpdate().rescheduleAfter(untilRescan(due, clock.instant())))
                .orElseGet(UpdateControl::noUpdate);
    }

    /**
     * rollout.guard after the planner: the serving revision's sidecar counters read (at most once per the
     * guard's interval) and judged by the burn-rate rule; its decision and events appended to the planner's.
     */
    private RolloutPlanner.Decision guard(RobustModel model, RolloutPlanner.Decision planned, Optional<GuardSettings> guardSettings,
            Map<String, Deployment> deployments, int specReplicas, RolloutSettings settings, Context<RobustModel> context) {
        RobustModelStatus s = planned.status();
        String uid = model.getMetadata().getUid();
        if (guardSettings.isEmpty() || s.stableRevision == null) {
            counters.forget(uid);
        }
        Baseline baseline = guardSettings.map(g -> Baseline.of(g, s, context.getSecondaryResources(AdversarialTestRun.class)))
                .orElse(new Baseline(RolloutSpec.GuardSpec.DEFAULT_BASELINE_RATE, "default"));
        Optional<BurnRate.Evaluation> evaluation = guardSettings.isEmpty() || s.stableRevision == null ? Optional.empty()
                : counters.evaluate(uid, s.stableRevision, podsOf(context, s.stableRevision), guardSettings.get(), baseline,
                        clock.instant());
        String target = PostPromotionGuard.rollingBackTo(s).orElse(s.rollbackRevision);
        Deployment kept = target == null ? null : deployments.get(target);
        PostPromotionGuard.Target observed = kept == null ? PostPromotionGuard.Target.ABSENT
                : new PostPromotionGuard.Target(true, readiness(kept, specReplicas).ready());
        RolloutPlanner.Decision guarded = PostPromotionGuard.decide(s, guardSettings, evaluation, baseline, observed, settings,
                clock.instant());
        List<RolloutAction> actions = new java.util.ArrayList<>(planned.actions());
        actions.addAll(guarded.actions());
        return new RolloutPlanner.Decision(guarded.status(), actions);
    }

    /** Wake for a scheduled re-scan just after it is due, and at least hourly (a clock that moved, a missed wake). */
    static Duration untilRescan(java.time.Instant due, java.time.Instant now) {
        Duration left = Duration.between(now, due).plusMillis(100);
        return left.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100)
                : left.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : left;
    }

    /**
     * When to look again at an open analysis: every ANALYSIS_POLL, but just past the progress deadline when
     * the attempt's pods are still awaited (pods that never become Ready send no event at their deadline).
     */
    static Duration nextLook(RobustModelStatus.AnalysisProgress a, RolloutSettings settings, java.time.Instant now) {
        if (a.startedAt != null || a.progressingSince == null) {
            return ANALYSIS_POLL;
        }
        Duration left = Duration.between(now, java.time.Instant.parse(a.progressingSince).plus(settings.progressDeadline()))
                .plusMillis(100);
        if (left.isNegative()) {
            return Duration.ofMillis(100);
        }
        return left.compareTo(ANALYSIS_POLL) < 0 ? left : ANALYSIS_POLL;
    }

    /**
     * Whether the canary's GPUs fit in the free capacity of its eligible nodes (checked once, before the
     * canary's Deployment exists; a loan already decided stands). Empty when the pods cannot be read.
     */
    private Optional<GpuCapacity.Decision> canaryCapacity(RobustModel model, GpuResolution.Placed placed,
            RobustModelStatus decided, int specReplicas, int canaryReplicas, Context<RobustModel> context) {
        if (decided.analysis != null && decided.analysis.stableReplicasLent != null) {
            return Optional.of(new GpuCapacity.Decision(decided.analysis.stableReplicasLent, Optional.empty()));
        }
        Set<String> eligible = Set.copyOf(placed.eligibleNodes());
        List<NodeView> nodes = gpuPlatform.nodes(context).stream().filter(n -> eligible.contains(n.name())).toList();
        var rollout = model.getSpec().rollout;
        var policy = rollout == null || rollout.canary == null || rollout.canary.capacityPolicy == null
                ? io.robustml.crds.model.RolloutSpec.CapacityPolicy.WAIT : rollout.canary.capacityPolicy;
        return GpuPlatform.podsOn(context.getClient(), placed.eligibleNodes())
                .map(pods -> GpuCapacity.canary(placed.placement().resourceName(), placed.placement().count(),
                        canaryReplicas, specReplicas, GpuCapacity.free(nodes, placed.placement().resourceName(), pods),
                        policy));
    }

    private void carryOut(RobustModel model, RolloutAction action, ServingActuator actuator, List<String> testerRuns,
            Map<String, Deployment> deployments, Context<RobustModel> context) {
        String id = model.getMetadata().getNamespace() + "/" + model.getMetadata().getName();
        if (action instanceof RolloutAction.StartAnalysis start) {
            LOG.info("{}: starting analysis {} of revision {} (attempt {})", id, start.runName(), start.revision(),
                    start.attempt());
            GpuResolution tester = gpuPlatform.resolveTester(model, context);
            if (tester instanceof GpuResolution.Unsatisfiable u) {
                // The analysis cannot run without its GPUs: say so; the Job (spec-only placement) waits,
                // and the analysis times out as Inconclusive if nothing changes.
                EventRecorder.warning(context.getClient(), model, u.reason(), "tester Job " + start.runName() + ": "
                        + u.message());
            }
            actuator.startAnalysis(start.runName(), start.revision(), start.identity(), testerGpu(model, tester), testerRuns);
        } else if (action instanceof RolloutAction.StartBaseline start) {
            Deployment stable = deployments.get(start.revision());
            if (stable == null) {
                // Nothing to measure (the stable pods are gone): the baseline times out and the canary is
                // judged without it.
                LOG.warn("{}: no Deployment of stable revision {}: baseline {} not started", id, start.revision(),
                        start.runName());
                return;
            }
            LOG.info("{}: starting baseline {} of stable revision {}", id, start.runName(), start.revision());
            actuator.startBaseline(start.runName(), start.revision(), start.identity(), stable,
                    testerGpu(model, gpuPlatform.resolveTester(model, context)), testerRuns);
        } else if (action instanceof RolloutAction.StartRescan rescan) {
            Deployment stable = deployments.get(rescan.revision());
            if (stable == null) {
                LOG.warn("{}: no Deployment of stable revision {}: re-scan {} not started", id, rescan.revision(), rescan.runName());
                return; // it times out as inconclusive if the stable pods stay gone
            }
            LOG.info("{}: starting re-scan {} of stable revision {}", id, rescan.runName(), rescan.revision());
            actuator.startBaseline(rescan.runName(), rescan.revision(), rescan.identity(), stable,
                    testerGpu(model, gpuPlatform.resolveTester(model, context)), testerRuns);
        } else if (action instanceof RolloutAction.RecordVerdict v) {
            actuator.recordVerdict(v.runName(), v.verdict(), v.violatedSlos());
        } else if (action instanceof RolloutAction.Event event) {
            if (event.warning()) {
                LOG.warn("{}: {}: {}", id, event.reason(), event.message());
                EventRecorder.warning(context.getClient(), model, event.reason(), event.message());
            } else {
                LOG.info("{}: {}: {}", id, event.reason(), event.message());
                EventRecorder.normal(context.getClient(), model, event.reason(), event.message());
            }
        }
    }

    private static Optional<GpuPlacement> testerGpu(RobustModel model, GpuResolution tester) {
        return tester instanceof GpuResolution.Placed p
                ? Optional.of(p.placement())
                : GpuPlacement.of(model.getSpec().rollout == null || model.getSpec().rollout.analysis == null ? null
                        : model.getSpec().rollout.analysis.gpu);
    }

    /** Status write with the resourceVersion we decided on: the API server refuses it if that view was stale. */
    private static void recordStatus(RobustModel model, RobustModelStatus status, Context<RobustModel> context) {
        RobustModel update = new RobustModel();
        update.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(model.getMetadata().getName())
                .withNamespace(model.getMetadata().getNamespace())
                .withResourceVersion(model.getMetadata().getResourceVersion()).build());
        update.setSpec(model.getSpec());
        update.setStatus(status);
        context.getClient().resource(update).updateStatus();
    }

    private static RunObservation observe(String name, Context<RobustModel> context) {
        if (name == null) {
            return RunObservation.absent();
        }
        Optional<AdversarialTestRun> run = context.getSecondaryResources(AdversarialTestRun.class).stream()
                .filter(r -> name.equals(r.getMetadata().getName())).findFirst();
        if (run.isEmpty()) {
            return RunObservation.absent();
        }
        Optional<Job> job = context.getSecondaryResources(Job.class).stream()
                .filter(j -> name.equals(j.getMetadata().getName())).findFirst();
        String jobFailure = job.flatMap(RobustModelReconciler::failure).orElse(null);
        var annotations = run.get().getMetadata().getAnnotations();
        return new RunObservation(true, run.get().getStatus(), jobFailure,
                annotations == null ? null : annotations.get(AnalysisResources.IDENTITY_ANNOTATION), job.isEmpty());
    }

    /** A Job that Kubernetes has given up on (pod failed, deadline exceeded), with its reason. */
    static Optional<String> failure(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage())).findFirst();
    }

    private static List<Pod> podsOf(Context<RobustModel> context, String revision) {
        return context.getSecondaryResources(Pod.class).stream()
                .filter(p -> p.getMetadata().getLabels() != null
                        && revision.equals(p.getMetadata().getLabels().get(Labels.REVISION))
                        && ServingDeployment.COMPONENT.equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
                .toList();
    }

    static ServingReadiness readiness(Deployment d, int replicas) {
        return ServingReadiness.of(replicas,
                d == null || d.getStatus() == null ? null : d.getStatus().getAvailableReplicas(),
                d == null || d.getStatus() == null ? null : d.getStatus().getUpdatedReplicas(),
                d == null ? null : d.getMetadata().getGeneration(),
                d == null || d.getStatus() == null ? null : d.getStatus().getObservedGeneration());
    }

    static int canaryReplicas(RobustModel model) {
        var rollout = model.getSpec().rollout;
        return rollout == null || rollout.canary == null || rollout.canary.replicas == null ? 1 : rollout.canary.replicas;
    }

    /** rollout.analysis.timeoutSeconds, or its default. */
    static Duration analysisTimeout(RolloutSpec.AnalysisSpec analysis) {
        return Duration.ofSeconds(analysis == null || analysis.timeoutSeconds == null
                ? Long.parseLong(RolloutSpec.AnalysisSpec.DEFAULT_TIMEOUT_SECONDS) : analysis.timeoutSeconds);
    }

    static RolloutSettings settings(RobustModel model) {
        var analysis = model.getSpec().rollout == null ? null : model.getSpec().rollout.analysis;
        var rollout = model.getSpec().rollout;
        return new RolloutSettings(model.getSpec().slos,
                analysis == null || analysis.samples == null
                        ? Integer.parseInt(RolloutSpec.AnalysisSpec.DEFAULT_SAMPLES) : analysis.samples,
                analysisTimeout(analysis),
                analysis == null || analysis.retries == null
                        ? Integer.parseInt(RolloutSpec.AnalysisSpec.DEFAULT_RETRIES) : analysis.retries,
                rollout == null || rollout.autoRollback == null
                        ? Boolean.parseBoolean(RolloutSpec.DEFAULT_AUTO_ROLLBACK) : rollout.autoRollback,
                Durations.parse(rollout == null || rollout.rollbackWindow == null
                        ? RolloutSpec.DEFAULT_ROLLBACK_WINDOW : rollout.rollbackWindow),
                Suite.of(model.getSpec()), rollout == null || rollout.progressDeadlineSeconds == null
                        ? RolloutSettings.DEFAULT_PROGRESS_DEADLINE : Duration.ofSeconds(rollout.progressDeadlineSeconds),
                new RolloutSettings.Rescans(rollout != null && rollout.rescan != null && Boolean.TRUE.equals(rollout.rescan.onSuiteChange),
                        rescanSchedule(model).orElse(null), RescanContainment.contains(model.getSpec())));
    }

    /** rollout.rescan.schedule, parsed; empty when absent or not a schedule (reportInvalidSchedule says why). */
    static Optional<RescanSchedule> rescanSchedule(RobustModel model) {
        try {
            return scheduleOf(model).map(RescanSchedule::parse);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> scheduleOf(RobustModel model) {
        var rollout = model.getSpec().rollout;
        return rollout == null || rollout.rescan == null ? Optional.empty() : Optional.ofNullable(rollout.rescan.schedule);
    }

    /** One Warning event per model and schedule the CRD's pattern let through but no clock can follow. */
    private void reportInvalidSchedule(RobustModel model, Optional<RescanSchedule> parsed, Context<RobustModel> context) {
        Optional<String> schedule = scheduleOf(model);
        if (schedule.isEmpty() || parsed.isPresent() || !invalidSchedules.add(model.getMetadata().getUid() + " " + schedule.get())) {
            return;
        }
        String why;
        try {
            RescanSchedule.parse(schedule.get());
            return;
        } catch (IllegalArgumentException e) {
            why = e.getMessage();
        }
        LOG.warn("{}/{}: {}", model.getMetadata().getNamespace(), model.getMetadata().getName(), why);
        EventRecorder.warning(context.getClient(), model, Reasons.INVALID_RESCAN_SCHEDULE, why
                + "; no scheduled re-scans until it is corrected");
    }

    /** One event per new serving problem, never per reconcile. */
    private void explainProblem(RobustModel model, RobustModelStatus previous, Optional<ServingProblem> problem,
            Context<RobustModel> context) {
        String before = io.robustml.controllers.status.Conditions.find(previous.conditions,
                        io.robustml.controllers.status.Conditions.DEGRADED)
                .filter(c -> "True".equals(c.getStatus())).map(c -> c.getReason()).orElse(null);
        if (problem.isPresent() && !problem.get().reason().equals(before)) {
            LOG.warn("{}/{}: {}: {}", model.getMetadata().getNamespace(), model.getMetadata().getName(),
                    problem.get().reason(), problem.get().message());
            EventRecorder.warning(context.getClient(), model, problem.get().reason(), problem.get().message());
            metrics.problem(model, problem.get().reason());
        }
    }
}
