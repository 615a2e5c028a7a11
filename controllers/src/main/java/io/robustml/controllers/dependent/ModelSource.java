package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.Optional;

/**
 * How the serving pod reaches the model file named by {@code spec.model.uri}. A pvc:// model is read
 * from the claim mounted read-only; the model server verifies the digest before it loads the file and
 * serves from memory, so a later change on the volume cannot change what is served.
 */
public record ModelSource(String localUri, Optional<Volume> volume) {
    public static final String VOLUME = "model-source";
    public static final String MOUNT_PATH = "/mnt/model-source";

    public static ModelSource of(String uri) {
        if (uri.startsWith("pvc://")) {
            String rest = uri.substring("pvc://".length());
            int slash = rest.indexOf('/');
            String claim = rest.substring(0, slash);
            String path = rest.substring(slash + 1);
            Volume volume = new VolumeBuilder().withName(VOLUME).withNewPersistentVolumeClaim()
                    .withClaimName(claim).withReadOnly(true).endPersistentVolumeClaim().build();
            return new ModelSource("file://" + MOUNT_PATH + "/" + path, Optional.of(volume));
        }
        // file:// is a file on the node (local runs and tests); s3:// and https:// are fetched by the
        // model server into an emptyDir and verified before it loads them (docs/model-server.md).
        return new ModelSource(uri, Optional.empty());
    }

    /** The model server downloads the file itself (into {@code ROBUSTML_MODEL_CACHE_DIR}). */
    public boolean remote() {
        return localUri.startsWith("s3://") || localUri.startsWith("https://");
    }

    /**
     * spec.model.credentials.secretRef as the model server's environment: AWS_* keys for s3://, token for
     * https:// bearer auth, endpoint for an S3-compatible store; every key optional, so one Secret serves
     * either scheme. The operator never reads the Secret; the kubelet injects it.
     */
    public static java.util.List<io.fabric8.kubernetes.api.model.EnvVar> credentialEnv(String secret) {
        java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
        keys.put("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID");
        keys.put("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY");
        keys.put("AWS_SESSION_TOKEN", "AWS_SESSION_TOKEN");
        keys.put("AWS_REGION", "AWS_REGION");
        keys.put("ROBUSTML_S3_ENDPOINT", "endpoint");
        keys.put("ROBUSTML_MODEL_TOKEN", "token");
        return keys.entrySet().stream().map(e -> new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName(e.getKey())
                .withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(e.getValue()).withOptional(true)
                .endSecretKeyRef().endValueFrom().build()).toList();
    }
}
