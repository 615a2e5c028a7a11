package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.controllers.gpu.GpuPlacement;
import io.robustml.crds.AdversarialTestRun;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.RolloutSpec;
import io.robustml.crds.run.AdversarialTestRunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects of one analysis attempt, as pure functions of the RobustModel: the AdversarialTestRun
 * (what to test, copied from the spec), the Job that runs the tester, the ConfigMap its report is kept
 * in, and a ServiceAccount whose Role lets it read that one run and write that one run's status and
 * report — nothing else.
 */
public final class AnalysisResources {
    public static final String COMPONENT = "analysis";
    public static final String RUN_LABEL = "robustml.io/run";
    /** On a run: which analysis attempt asked for it ({@link RolloutPlanner#identity}); a run without it is never judged. */
    public static final String IDENTITY_ANNOTATION = "robustml.io/analysis";
    static final String DATASET_VOLUME = "dataset";
    static final String DATASET_PATH = "/mnt/dataset";
    static final String CORPUS_VOLUME = "corpus";
    static final String CORPUS_PATH = "/mnt/corpus";
    static final String SURROGATE_VOLUME = "surrogate";
    static final String SURROGATE_PATH = "/mnt/surrogate";
    /** Key of the tester's full JSON report in the run's report ConfigMap (the tester may gzip it as report.json.gz). */
    public static final String REPORT_KEY = "report.json";

    /** Where the tester keeps what it fetched: the Job's tmp emptyDir, gone with the pod. */
    static final String FETCH_CACHE_DIR = "/tmp/fetch";

    private AnalysisResources() {
    }

    public static String testerAccount(RobustModel model) {
        return model.getMetadata().getName() + "-tester";
    }

    public static AdversarialTestRun run(RobustModel model, String runName, String revision) {
        AdversarialTestRunSpec spec = new AdversarialTestRunSpec();
        spec.target = new AdversarialTestRunSpec.Target();
        spec.target.model = model.getMetadata().getName();
        spec.target.revision = revision;
        spec.target.endpoint = ServingService.revisionUrl(model, revision);
        spec.target.modelUri = ModelSource.of(model.getSpec().model.uri).localUri();
        spec.target.modelSha256 = model.getSpec().model.sha256;
        spec.access = model.getSpec().threatModel.access;
        spec.goal = model.getSpec().threatModel.goal;
        spec.attacks = model.getSpec().threatModel.attacks;
        spec.detector = model.getSpec().detector;
        spec.labels = model.getSpec().model.labels;
        spec.input = model.getSpec().model.input;
        var corpus = model.getSpec().threatModel.corpus;
        if (corpus != null) {
            spec.corpus = new AdversarialTestRunSpec.Corpus();
            spec.corpus.uri = DatasetSource.of(corpus.uri, CORPUS_VOLUME, CORPUS_PATH).localUri();
            spec.corpus.sha256 = corpus.sha256;
        }
        var surrogate = model.getSpec().threatModel.surrogateModel;
        if (surrogate != null) {
            spec.surrogateModel = new io.robustml.crds.model.ThreatModelSpec.SurrogateModelSpec();
            spec.surrogateModel.uri = DatasetSource.of(surrogate.uri, SURROGATE_VOLUME, SURROGATE_PATH).localUri();
            spec.surrogateModel.sha256 = surrogate.sha256;
        }
        spec.certification = model.getSpec().threatModel.certification;
        RolloutSpec.AnalysisSpec analysis = analysis(model);
        spec.dataset = new AdversarialTestRunSpec.Dataset();
        spec.dataset.uri = DatasetSource.of(analysis.dataset).localUri();
        spec.dataset.samples = analysis.samples;
        spec.dataset.checksums = analysis.datasetChecksums;
        spec.dataset.labelColumn = analysis.labelColumn;
        AdversarialTestRun run = new AdversarialTestRun();
        run.setMetadata(metadata(model, runName, revision));
        run.setSpec(spec);
        return run;
    }

    public static Job job(RobustModel model, String runName, String revision, ServingImages images) {
        return job(model, runName, revision, images, GpuPlacement.of(analysis(model).gpu));
    }

    /** The tester's ResourceClaimTemplate when its GPUs come by DRA: {@code <run>-gpu}. */
    public static String claimTemplateName(String runName) {
        return runName + "-gpu";
    }

    /** As above, with the tester's GPU placement resolved against the platform (see GpuResolver). */
    public static Job job(RobustModel model, String runName, String revision, ServingImages images,
            Optional<GpuPlacement> gpu) {
        return job(model, runName, revision, images, gpu, ModelSource.of(model.getSpec().model.uri));
    }

    private static Job job(RobustModel model, String runName, String revision, ServingImages images,
            Optional<GpuPlacement> gpu, ModelSource modelSource) {
        RolloutSpec.AnalysisSpec analysis = analysis(model);
        DatasetSource dataset = DatasetSource.of(analysis.dataset);
        List<Volume> volumes = new ArrayList<>(List.of(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build()));
        List<VolumeMount> mounts = new ArrayList<>(List.of(mount("tmp", "/tmp")));
        modelSource.volume().ifPresent(v -> {
            volumes.add(v);
            mounts.add(mount(v.getName(), ModelSource.MOUNT_PATH));
        });
        dataset.volume().ifPresent(v -> {
            volumes.add(v);
            mounts.add(mount(v.getName(), DATASET_PATH));
        });
        if (model.getSpec().threatModel.corpus != null) {
            DatasetSource.of(model.getSpec().threatModel.corpus.uri, CORPUS_VOLUME, CORPUS_PATH).volume().ifPresent(v -> {
                volumes.add(v);
                mounts.add(mount(v.getName(), CORPUS_PATH));
            });
        }
        if (model.getSpec().threatModel.surrogateModel != null) {
            DatasetSource.of(model.getSpec().threatModel.surrogateModel.uri, SURROGATE_VOLUME, SURROGATE_PATH).volume()
                    .ifPresent(v -> {
                        volumes.add(v);
                        mounts.add(mount(v.getName(), SURROGATE_PATH));
                    });
        }
        Map<String, String> labels = Labels.of(model, COMPONENT);
        labels.put(Labels.REVISION, revision);
        labels.put(RUN_LABEL, runName);
        ResourceRequirements resources = io.robustml.controllers.dependent.ServingDeployment.resources(analysis.resources, gpu);
        return new JobBuilder()
                .withMetadata(metadata(model, runName, revision))
                .withNewSpec()
                // Retries are the operator's (a new run per attempt), so one pod per Job.
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(analysis.timeoutSeconds == null
                        ? Long.parseLong(RolloutSpec.AnalysisSpec.DEFAULT_TIMEOUT_SECONDS) : analysis.timeoutSeconds.longValue())
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withServiceAccountName(testerAccount(model))
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1000L).withRunAsGroup(1000L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(new ContainerBuilder()
                        .withName("adversarial-tester")
                        .withImage(images.tester())
                        .withImagePullPolicy(images.pullPolicy())
                        .withArgs("--run", runName, "--namespace", model.getMetadata().getNamespace(),
                                "--report", "/tmp/report.json")
                        .addNewEnv().withName("DJL_CACHE_DIR").withValue("/tmp/djl").endEnv()
                        .addToEnv(io.robustml.controllers.dependent.TesterKey.env(model, "ROBUSTML_TESTER_API_KEY"))
                        // Files in a store (model, dataset, corpus, surrogate) are fetched into /tmp with the
                        // model's credentials Secret, which the kubelet injects as it does for the model server.
                        .addNewEnv().withName("ROBUSTML_FETCH_CACHE_DIR").withValue(FETCH_CACHE_DIR).endEnv()
                        .addAllToEnv(model.getSpec().model.credentials == null ? List.of()
                                : ModelSource.credentialEnv(model.getSpec().model.credentials.secretRef))
                        .withResources(resources)
                        .withVolumeMounts(mounts)
                        .withTerminationMessagePolicy("FallbackToLogsOnError")
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                        .withNewCapabilities().addToDrop("ALL").endCapabilities().endSecurityContext()
                        .build())
                .withVolumes(volumes)
                // Where the model serves: the same node pool (serving.nodeSelector, tolerations), plus the GPU's.
                .withNodeSelector(io.robustml.controllers.dependent.ServingDeployment.serving(model).nodeSelector)
                .withTolerations(io.robustml.controllers.dependent.ServingDeployment.tolerations(model, gpu))
                .withAffinity(gpu.flatMap(GpuPlacement::affinity).orElse(null))
                .withRuntimeClassName(gpu.flatMap(GpuPlacement::runtimeClassName).orElse(null))
                .withResourceClaims(gpu.flatMap(GpuPlacement::dra).map(c -> List.of(new io.fabric8.kubernetes.api.model
                        .PodResourceClaimBuilder().withName(io.robustml.controllers.dependent.ServingDeployment.GPU_CLAIM)
                        .withResourceClaimTemplateName(claimTemplateName(runName)).build())).orElse(null))
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    public static ServiceAccount serviceAccount(RobustModel model) {
        return new ServiceAccountBuilder()
                .withMetadata(Owners.ownedMetadata(model, testerAccount(model), COMPONENT))
                .build();
    }

    /** The ConfigMap a run's tester writes its full report into: {@code <run>-report}. */
    public static String reportConfigMapName(String runName) {
        return runName + "-report";
    }

    /**
     * An empty ConfigMap made with the run, so the tester can store its full JSON report where it outlives
     * the Job and the pod, with a Role that names this one object (RBAC cannot narrow {@code create} to a
     * name, so the tester never creates it). Deleted with the run by retention, and with the model.
     */
    public static io.fabric8.kubernetes.api.model.ConfigMap reportConfigMap(RobustModel model, String runName, String revision) {
        return new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withMetadata(metadata(model, reportConfigMapName(runName), revision, runName)).build();
    }

    /** Read this run, write this run's status and its report ConfigMap: the tester can touch nothing else. */
    public static Role role(RobustModel model, String runName) {
        return role(model, List.of(runName));
    }

    /**
     * As above for every run open at once (the canary's and the stable baseline's): read those runs,
     * write those runs' status, nothing else.
     */
    public static Role role(RobustModel model, List<String> runNames) {
        return new RoleBuilder()
                .withMetadata(Owners.ownedMetadata(model, testerAccount(model), COMPONENT))
                .withRules(new PolicyRuleBuilder().withApiGroups(RobustModel.GROUP).withResources("adversarialtestruns")
                                .withResourceNames(runNames).withVerbs("get").build(),
                        new PolicyRuleBuilder().withApiGroups(RobustModel.GROUP).withResources("adversarialtestruns/status")
                                .withResourceNames(runNames).withVerbs("get", "patch", "update").build(),
                        new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                                .withResourceNames(runNames.stream().map(AnalysisResources::reportConfigMapName).toList())
                                .withVerbs("get", "patch", "update").build())
                .build();
    }

    /**
     * The run measuring the stable revision as the baseline: the same suite, the stable revision's own
     * Service as endpoint, and the model file its Deployment serves (not the spec's, which names the canary).
     */
    public static AdversarialTestRun baselineRun(RobustModel model, String runName, String revision, Deployment stable) {
        AdversarialTestRun run = run(model, runName, revision);
        ModelSource source = servedModel(stable).orElse(null);
        run.getSpec().target.modelUri = source == null ? null : source.localUri();
        run.getSpec().target.modelSha256 = servingEnv(stable, "ROBUSTML_MODEL_SHA256").orElse(null);
        return run;
    }

    /** The baseline run's Job: as {@link #job}, with the stable revision's model volume. */
    public static Job baselineJob(RobustModel model, String runName, String revision, ServingImages images,
            Optional<GpuPlacement> gpu, Deployment stable) {
        return job(model, runName, revision, images, gpu, servedModel(stable).orElse(new ModelSource(null, Optional.empty())));
    }

    /** What a revision's Deployment serves: its model-server's model URI and model volume. */
    static Optional<ModelSource> servedModel(Deployment d) {
        Optional<String> uri = servingEnv(d, "ROBUSTML_MODEL_URI");
        if (uri.isEmpty()) {
            return Optional.empty();
        }
        Optional<Volume> volume = d.getSpec().getTemplate().getSpec().getVolumes() == null ? Optional.empty()
                : d.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .filter(v -> ModelSource.VOLUME.equals(v.getName())).findFirst();
        return Optional.of(new ModelSource(uri.get(), volume));
    }

    private static Optional<String> servingEnv(Deployment d, String name) {
        if (d == null || d.getSpec() == null || d.getSpec().getTemplate() == null
                || d.getSpec().getTemplate().getSpec() == null) {
            return Optional.empty();
        }
        return d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getEnv() != null).flatMap(c -> c.getEnv().stream())
                .filter(e -> name.equals(e.getName()) && e.getValue() != null).map(e -> e.getValue()).findFirst();
    }

    public static RoleBinding roleBinding(RobustModel model) {
        return new RoleBindingBuilder()
                .withMetadata(Owners.ownedMetadata(model, testerAccount(model), COMPONENT))
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(testerAccount(model))
                .endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(testerAccount(model))
                .withNamespace(model.getMetadata().getNamespace()).endSubject()
                .build();
    }

    static RolloutSpec.AnalysisSpec analysis(RobustModel model) {
        if (model.getSpec().rollout == null || model.getSpec().rollout.analysis == null) {
            throw new IllegalStateException("spec.rollout.analysis is required");
        }
        return model.getSpec().rollout.analysis;
    }

    private static ObjectMeta metadata(RobustModel model, String runName, String revision) {
        return metadata(model, runName, revision, runName);
    }

    private static ObjectMeta metadata(RobustModel model, String name, String revision, String runName) {
        ObjectMeta meta = Owners.ownedMetadata(model, name, COMPONENT);
        meta.getLabels().put(Labels.REVISION, revision);
        meta.getLabels().put(RUN_LABEL, runName);
        return meta;
    }

    private static VolumeMount mount(String volume, String path) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path).withReadOnly(!"tmp".equals(volume)).build();
    }

    /** Where the tester reads a file: pvc:// is mounted read-only, file:// is in the image, s3:// and https:// it fetches. */
    record DatasetSource(String localUri, Optional<Volume> volume) {
        static DatasetSource of(String uri) {
            return of(uri, DATASET_VOLUME, DATASET_PATH);
        }

        /** A pvc:// file mounted read-only at {@code path} through a volume named {@code volumeName}; else as is. */
        static DatasetSource of(String uri, String volumeName, String path) {
            if (uri.startsWith("pvc://")) {
                String rest = uri.substring("pvc://".length());
                int slash = rest.indexOf('/');
                Volume volume = new VolumeBuilder().withName(volumeName).withNewPersistentVolumeClaim()
                        .withClaimName(rest.substring(0, slash)).withReadOnly(true).endPersistentVolumeClaim().build();
                return new DatasetSource("file://" + path + "/" + rest.substring(slash + 1), Optional.of(volume));
            }
            return new DatasetSource(uri, Optional.empty());
        }
    }
}
