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
        // file:// is a file on the node (local runs and tests); s3:// and https:// are passed through.
        return new ModelSource(uri, Optional.empty());
    }
}
