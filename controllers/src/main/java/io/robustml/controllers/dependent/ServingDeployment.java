package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.robustml.controllers.Labels;
import io.robustml.controllers.Owners;
import io.robustml.controllers.Revision;
import io.robustml.crds.RobustModel;
import io.robustml.crds.model.ModelSpec;
import io.robustml.crds.model.ServingSpec;
import io.robustml.oip.RequestLimits;
import io.robustml.controllers.gpu.GpuPlacement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The serving Deployment of a RobustModel as a pure function of the resource: the model server
 * (loopback only) behind the detector sidecar, the only port exposed; GPUs as the NVIDIA device plugin
 * names them; pods that meet the "restricted" Pod Security Standard.
 */
public final class ServingDeployment {
    public static final String COMPONENT = "serving";
    public static final String MODEL_SERVER_CONTAINER = "model-server";
    public static final String SIDECAR_CONTAINER = "sidecar-detector";
    public static final int SIDECAR_PORT = 8080;
    public static final int SIDECAR_METRICS_PORT = 9090;
    public static final int DEFAULT_MODEL_SERVER_PORT = 8081;
    public static final String DETECTOR_CONFIG_VOLUME = "detector-config";
    public static final String DETECTOR_CONFIG_PATH = "/etc/robustml/detector";
    public static final String TMP_VOLUME = "tmp";
    public static final String FORENSIC_VOLUME = "forensic-log";
    public static final String FORENSIC_PATH = "/var/log/robustml/forensic";
    /** The sidecar's own API token (the model server has none): it watches the detector ConfigMap. */
    public static final String SIDECAR_TOKEN_VOLUME = "sidecar-api-token";
    public static final String SERVICE_ACCOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    public static final String API_KEYS_VOLUME = "api-keys";
    public static final String API_KEYS_PATH = "/etc/robustml/api-keys";
    public static final String API_KEYS_FILE = "clients.json";
    public static final String MODEL_CACHE_VOLUME = "model-cache";
    public static final String MODEL_CACHE_PATH = "/var/cache/robustml/model";

    private ServingDeployment() {
    }

    /** One Deployment per revision, so stable and canary run side by side: {@code <model>-<revision>}. */
    public static String name(RobustModel model, String revision) {
        return model.getMetadata().getName() + "-" + revision;
    }

    /** spec.serving.replicas, with the schema's default for objects that never went through the API server. */
    public static int desiredReplicas(RobustModel model) {
        ServingSpec serving = model.getSpec().serving;
        return serving == null || serving.replicas == null ? Integer.parseInt(ServingSpec.DEFAULT_REPLICAS) : serving.replicas;
    }

    static int modelServerPort(RobustModel model) {
        ServingSpec serving = model.getSpec().serving;
        return serving == null || serving.port == null ? DEFAULT_MODEL_SERVER_PORT : serving.port;
    }

    /** The Deployment of the revision the spec names, with {@code replicas} pods. */
    public static Deployment desired(RobustModel model, ServingImages images, int replicas) {
        return desired(model, images, replicas, GpuPlacement.of(model.getSpec().serving == null ? null
                : model.getSpec().serving.gpu));
    }

    /** As above, with the GPU placement resolved against the platform (see GpuResolver). */
    public static Deployment desired(RobustModel model, ServingImages images, int replicas, Optional<GpuPlacement> gpu) {
        String revision = Revision.of(model.getSpec());
        Map<String, String> labels = Labels.of(model, COMPONENT);
        labels.put(Labels.REVISION, revision);
        Map<String, String> selector = Labels.servingSelector(model);
        selector.put(Labels.REVISION, revision);
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name(model, revision))
                .withNamespace(model.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(Owners.controlledBy(model))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).endMetadata()
                .withSpec(podSpec(model, images, revision, gpu))
                .endTemplate()
                .endSpec()
                .build();
    }

    static PodSpec podSpec(RobustModel model, ServingImages images, String revision, Optional<GpuPlacement> gpu) {
        ServingSpec serving = serving(model);
        ModelSource source = ModelSource.of(model.getSpec().model.uri);

        PodSpecBuilder pod = new PodSpecBuilder()
                .withServiceAccountName(ServingServiceAccount.name(model))
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(1000L)
                .withRunAsGroup(1000L)
                .withFsGroup(1000L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(sidecar(model, images, revision), modelServer(model, images, serving, gpu, source, revision))
                .addToVolumes(new VolumeBuilder().withName(TMP_VOLUME).withNewEmptyDir().endEmptyDir().build())
                .addToVolumes(new VolumeBuilder().withName(DETECTOR_CONFIG_VOLUME).withNewConfigMap()
                        .withName(DetectorConfigMap.name(model)).endConfigMap().build())
                .withTolerations(tolerations(model, gpu))
                .withNodeSelector(serving.nodeSelector);
        source.volume().ifPresent(pod::addToVolumes);
        pod.addToVolumes(sidecarToken());
        apiKeysSecret(model).ifPresent(secret -> pod.addToVolumes(new VolumeBuilder().withName(API_KEYS_VOLUME)
                .withNewSecret().withSecretName(secret).addNewItem().withKey(API_KEYS_FILE).withPath(API_KEYS_FILE).endItem()
                .endSecret().build()));
        if (source.remote()) {
            pod.addToVolumes(new VolumeBuilder().withName(MODEL_CACHE_VOLUME).withNewEmptyDir().endEmptyDir().build());
        }
        if (forensicLog(model)) {
            // Survives sidecar crashes and restarts (the log is written so a crash loses at most one
            // record); bounded like the sidecar's own cap. Ship it elsewhere to keep it past the pod.
            pod.addToVolumes(new VolumeBuilder().withName(FORENSIC_VOLUME).withNewEmptyDir()
                    .withSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("300Mi")).endEmptyDir().build());
        }
        gpu.flatMap(GpuPlacement::dra).ifPresent(claim -> pod.addNewResourceClaim().withName(GPU_CLAIM)
                .withResourceClaimTemplateName(claimTemplateName(model, revision)).endResourceClaim());
        gpu.flatMap(GpuPlacement::affinity).ifPresent(pod::withAffinity);
        gpu.flatMap(GpuPlacement::runtimeClassName).ifPresent(pod::withRuntimeClassName);
        return pod.build();
    }

    /** spec.serving, or its defaults when the manifest has none. */
    public static ServingSpec serving(RobustModel model) {
        return model.getSpec().serving == null ? new ServingSpec() : model.getSpec().serving;
    }

    /**
     * Where the model's pods may run: spec.serving.tolerations plus the GPU's. The analysis Job carries the
     * same (and the same node selector), so it runs on the node pool the model serves on.
     */
    public static List<io.fabric8.kubernetes.api.model.Toleration> tolerations(RobustModel model, Optional<GpuPlacement> gpu) {
        List<io.fabric8.kubernetes.api.model.Toleration> tolerations = new ArrayList<>();
        if (serving(model).tolerations != null) {
            tolerations.addAll(serving(model).tolerations);
        }
        gpu.ifPresent(g -> tolerations.add(g.toleration()));
        return tolerations;
    }

    /** The sidecar keeps a forensic log of flagged inputs unless spec.detector.forensicLog.enabled is false. */
    static boolean forensicLog(RobustModel model) {
        var detector = model.getSpec().detector;
        return detector == null || detector.forensicLog == null || !Boolean.FALSE.equals(detector.forensicLog.enabled);
    }

    /**
     * A short-lived, audience-bound token for the sidecar only (the pod mounts none by default): with
     * it the sidecar watches its detector ConfigMap, so containment applies in seconds rather than at
     * kubelet's volume refresh (up to a minute or more). Its Role allows nothing else (ServingRole).
     */
    private static io.fabric8.kubernetes.api.model.Volume sidecarToken() {
        return new VolumeBuilder().withName(SIDECAR_TOKEN_VOLUME).withNewProjected()
                .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L)
                .endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt")
                .withPath("ca.crt").endItem().endConfigMap().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
                .withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
                .endProjected().build();
    }

    /** The key of the shared store's Secret that holds the Redis URL. */
    public static final String SHARED_STORE_URL_KEY = "url";

    /** spec.detector.sharedStore.secretRef, if the replicas share a Redis. */
    static Optional<String> sharedStoreSecret(RobustModel model) {
        var detector = model.getSpec().detector;
        return detector == null || detector.sharedStore == null ? Optional.empty() : Optional.ofNullable(detector.sharedStore.secretRef);
    }

    /** spec.detector.authentication.apiKeysSecret, if keys are checked. */
    static Optional<String> apiKeysSecret(RobustModel model) {
        var detector = model.getSpec().detector;
        return detector == null || detector.authentication == null ? Optional.empty()
                : Optional.ofNullable(detector.authentication.apiKeysSecret);
    }

    /** One body limit for sidecar and model server, sized so that the model server's largest batch fits as JSON. */
    static EnvVar maxBodyBytes(RobustModel model) {
        var input = model.getSpec().model.input;
        List<Integer> row = input == null || input.shape == null ? List.of() : input.shape;
        return env("ROBUSTML_MAX_BODY_BYTES", Long.toString(RequestLimits.maxBodyBytes(row,
                Integer.parseInt(RequestLimits.DEFAULT_MAX_BATCH))));
    }

    private static Container sidecar(RobustModel model, ServingImages images, String revision) {
        List<VolumeMount> mounts = new ArrayList<>(List.of(mount(DETECTOR_CONFIG_VOLUME, DETECTOR_CONFIG_PATH, true),
                mount(TMP_VOLUME, "/tmp", false), mount(SIDECAR_TOKEN_VOLUME, SERVICE_ACCOUNT_PATH, true)));
        List<io.fabric8.kubernetes.api.model.EnvVar> env = new ArrayList<>(List.of(
                env("ROBUSTML_UPSTREAM", "http://127.0.0.1:" + modelServerPort(model)),
                env("ROBUSTML_DETECTOR_CONFIG", DETECTOR_CONFIG_PATH + "/" + DetectorConfigMap.KEY),
                env("ROBUSTML_DETECTOR_CONFIGMAP", DetectorConfigMap.name(model)),
                new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("ROBUSTML_POD_NAMESPACE").withNewValueFrom()
                        .withNewFieldRef().withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef().endValueFrom().build(),
                env("ROBUSTML_MODEL_REVISION", revision),
                // The analysis's key: the tester is a verified client that sees the verdicts (TesterKey).
                TesterKey.env(model, "ROBUSTML_VERDICT_API_KEYS"), maxBodyBytes(model)));
        sharedStoreSecret(model).ifPresent(secret -> env.add(new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                .withName("ROBUSTML_FINGERPRINTS_REDIS").withNewValueFrom().withNewSecretKeyRef(SHARED_STORE_URL_KEY, secret, false)
                .endValueFrom().build()));
        apiKeysSecret(model).ifPresent(secret -> {
            mounts.add(mount(API_KEYS_VOLUME, API_KEYS_PATH, true));
            env.add(env("ROBUSTML_API_KEYS_FILE", API_KEYS_PATH + "/" + API_KEYS_FILE));
        });
        if (forensicLog(model)) {
            mounts.add(mount(FORENSIC_VOLUME, FORENSIC_PATH, false));
            env.add(env("ROBUSTML_FORENSIC_LOG_DIR", FORENSIC_PATH));
        }
        return new ContainerBuilder()
                .withName(SIDECAR_CONTAINER)
                .withImage(images.sidecarDetector())
                .withImagePullPolicy(images.pullPolicy())
                .addNewPort().withName("http").withContainerPort(SIDECAR_PORT).withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withContainerPort(SIDECAR_METRICS_PORT).withProtocol("TCP").endPort()
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withNewReadinessProbe().withNewHttpGet().withPath("/v2/health/ready").withNewPort("http").endHttpGet()
                .withPeriodSeconds(5).endReadinessProbe()
                .withLifecycle(drain())
                .withSecurityContext(restricted())
                .build();
    }

    private static Container modelServer(RobustModel model, ServingImages images, ServingSpec serving,
            Optional<GpuPlacement> gpu, ModelSource source, String revision) {
        ModelSpec m = model.getSpec().model;
        List<EnvVar> env = new ArrayList<>();
        env.add(env("ROBUSTML_MODEL_NAME", model.getMetadata().getName()));
        env.add(env("ROBUSTML_MODEL_VERSION", revision));
        env.add(env("ROBUSTML_MODEL_URI", source.localUri()));
        env.add(env("ROBUSTML_MODEL_FORMAT", m.format.name().toLowerCase(Locale.ROOT)));
        env.add(env("ROBUSTML_MODEL_SHA256", m.sha256));
        // A digest mismatch ends the container with the reason in its termination message, so the
        // pod never becomes Ready and the operator can report ModelIntegrityFailed.
        env.add(env("ROBUSTML_MODEL_EXIT_ON_INTEGRITY_FAILURE", "true"));
        if (source.remote()) {
            // Likewise a download that fails for good: the restart back-off retries it, the operator says why.
            env.add(env("ROBUSTML_MODEL_EXIT_ON_FETCH_FAILURE", "true"));
        }
        if (m.input != null && m.input.shape != null) {
            env.add(env("ROBUSTML_MODEL_INPUT_SHAPE", String.join(",", m.input.shape.stream().map(String::valueOf).toList())));
        }
        env.add(maxBodyBytes(model));
        if (m.labels != null && !m.labels.isEmpty()) {
            env.add(env("ROBUSTML_MODEL_LABELS", String.join(",", m.labels)));
        }
        env.addAll(engineEnv(serving));
        // The device the pod was given: a GPU pod whose engine finds no GPU ends with ModelDeviceUnavailable
        // rather than serving on the CPU; a CPU pod never takes a GPU it was not given.
        env.add(env("ROBUSTML_MODEL_DEVICE", gpu.isPresent() ? "gpu" : "cpu"));
        // Loopback only: nothing reaches the model server except through the sidecar.
        env.add(env("QUARKUS_HTTP_HOST", "127.0.0.1"));
        env.add(env("QUARKUS_HTTP_PORT", Integer.toString(modelServerPort(model))));
        env.add(env("DJL_CACHE_DIR", "/tmp/djl"));
        if (source.remote()) {
            env.add(env("ROBUSTML_MODEL_CACHE_DIR", MODEL_CACHE_PATH));
            if (m.credentials != null && m.credentials.secretRef != null) {
                env.addAll(ModelSource.credentialEnv(m.credentials.secretRef));
            }
        }

        List<VolumeMount> mounts = new ArrayList<>(List.of(mount(TMP_VOLUME, "/tmp", false)));
        source.volume().ifPresent(v -> mounts.add(mount(v.getName(), ModelSource.MOUNT_PATH, true)));
        if (source.remote()) {
            mounts.add(mount(MODEL_CACHE_VOLUME, MODEL_CACHE_PATH, false));
        }

        ContainerBuilder container = new ContainerBuilder()
                .withName(MODEL_SERVER_CONTAINER)
                .withImage(serving.image != null ? serving.image : images.modelServer())
                .withImagePullPolicy(serving.image != null ? null : images.pullPolicy())
                .withEnv(env)
                .withVolumeMounts(mounts)
                .withResources(resources(serving.resources, gpu))
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withLifecycle(drain())
                .withSecurityContext(restricted());
        if (serving.args != null) {
            container.withArgs(serving.args);
        }
        return container.build();
    }

    /**
     * spec.serving.batching and .parallelism as the model server's settings; only what the user set, so
     * the model server's own defaults are the only ones (docs/model-server.md).
     */
    static List<EnvVar> engineEnv(ServingSpec serving) {
        List<EnvVar> env = new ArrayList<>();
        if (serving.batching != null) {
            var b = serving.batching;
            if (b.enabled != null) {
                env.add(env("ROBUSTML_MODEL_BATCHING_ENABLED", b.enabled.toString()));
            }
            if (b.maxBatchSize != null) {
                env.add(env("ROBUSTML_MODEL_BATCHING_MAX_BATCH_SIZE", b.maxBatchSize.toString()));
            }
            if (b.preferredBatchSizes != null && !b.preferredBatchSizes.isEmpty()) {
                env.add(env("ROBUSTML_MODEL_BATCHING_PREFERRED_BATCH_SIZES",
                        String.join(",", b.preferredBatchSizes.stream().map(String::valueOf).toList())));
            }
            if (b.maxQueueDelayMicroseconds != null) {
                env.add(env("ROBUSTML_MODEL_BATCHING_MAX_QUEUE_DELAY_MICROSECONDS", b.maxQueueDelayMicroseconds.toString()));
            }
        }
        if (serving.parallelism != null) {
            if (serving.parallelism.instances != null) {
                env.add(env("ROBUSTML_MODEL_PREDICTORS", serving.parallelism.instances.toString()));
            }
            if (serving.parallelism.intraOpThreads != null) {
                env.add(env("ROBUSTML_MODEL_INTRA_OP_THREADS", serving.parallelism.intraOpThreads.toString()));
            }
        }
        return env;
    }

    /** Seconds a terminating serving pod keeps answering before its containers are told to stop. */
    static final long DRAIN_SECONDS = 5;

    /**
     * A pod being deleted (a rolled-back canary, a replaced stable) is removed from the Service's endpoints
     * while its containers get SIGTERM; until every node's kube-proxy has caught up, clients still reach it.
     * Both containers wait first (the kubelet's own sleep, nothing needed in the image), so those requests
     * are answered rather than reset.
     */
    private static io.fabric8.kubernetes.api.model.Lifecycle drain() {
        return new io.fabric8.kubernetes.api.model.LifecycleBuilder().withNewPreStop().withNewSleep()
                .withSeconds(DRAIN_SECONDS).endSleep().endPreStop().build();
    }

    /** The user's CPU/memory plus the GPU resource with requests equal to limits (or the DRA claim). */
    public static ResourceRequirements resources(ResourceRequirements user, Optional<GpuPlacement> gpu) {
        ResourceRequirementsBuilder b = user == null ? new ResourceRequirementsBuilder()
                : new ResourceRequirementsBuilder(user);
        gpu.ifPresent(g -> {
            if (g.dra().isPresent()) {
                b.addNewClaim().withName(GPU_CLAIM).endClaim();
            } else {
                b.addToRequests(g.resources()).addToLimits(g.resources());
            }
        });
        return b.build();
    }

    /** The pod's claim name for its GPUs under Dynamic Resource Allocation. */
    public static final String GPU_CLAIM = "gpu";

    /** {@code <model>-<revision>-gpu}: one ResourceClaimTemplate per revision; each pod gets its own claim from it. */
    public static String claimTemplateName(RobustModel model, String revision) {
        return name(model, revision) + "-gpu";
    }

    /** The revision's ResourceClaimTemplate (resource.k8s.io/v1) for NVIDIA's DRA device class. */
    public static io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate claimTemplate(RobustModel model,
            String revision, GpuPlacement.DraClaim claim) {
        return claimTemplate(model, claimTemplateName(model, revision), COMPONENT, revision, claim);
    }

    /** A ResourceClaimTemplate named {@code name}, owned by the model, for one DRA claim. */
    public static io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate claimTemplate(RobustModel model,
            String name, String component, String revision, GpuPlacement.DraClaim claim) {
        Map<String, String> labels = Labels.of(model, component);
        labels.put(Labels.REVISION, revision);
        var request = new io.fabric8.kubernetes.api.model.resource.v1.DeviceRequestBuilder().withName(GPU_CLAIM)
                .withNewExactly().withDeviceClassName(claim.deviceClass()).withAllocationMode("ExactCount")
                .withCount((long) claim.count())
                .withSelectors(claim.selectors().stream().map(cel -> new io.fabric8.kubernetes.api.model.resource.v1
                        .DeviceSelectorBuilder().withNewCel().withExpression(cel).endCel().build()).toList())
                .endExactly().build();
        return new io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplateBuilder()
                .withNewMetadata().withName(name).withNamespace(model.getMetadata().getNamespace())
                .withLabels(labels).withOwnerReferences(Owners.controlledBy(model)).endMetadata()
                .withNewSpec().withNewSpec().withNewDevices().withRequests(request).endDevices().endSpec().endSpec()
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    /** readOnly false is left out, as the API server stores it: the desired object equals what the cache holds. */
    private static VolumeMount mount(String volume, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path).withReadOnly(readOnly ? Boolean.TRUE : null).build();
    }

    private static SecurityContext restricted() {
        return new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().addToDrop("ALL").endCapabilities()
                .build();
    }
}
