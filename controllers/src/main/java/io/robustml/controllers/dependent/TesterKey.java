package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The analysis's own API key, one per model: the tester sends it, every sidecar of the model knows it
 * (its verdict key: the tester is a verified client, {@code robustml-tester}, and sees the detector's
 * verdicts, so detection is measured). Without it a model whose sidecar requires API keys could never
 * pass an analysis. The operator creates the Secret once with a random key and never reads it (its
 * Role has {@code create} on Secrets, nothing else); pods get the key from the kubelet.
 */
public final class TesterKey {
    public static final String KEY = "apiKey";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TesterKey() {
    }

    public static String name(RobustModel model) {
        return model.getMetadata().getName() + "-tester-key";
    }

    /** A new Secret with a fresh 256-bit key; creating it again when it exists changes nothing (409). */
    public static Secret desired(RobustModel model) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new SecretBuilder().withMetadata(Owners.ownedMetadata(model, name(model), "analysis"))
                .withType("Opaque").addToStringData(KEY, HexFormat.of().formatHex(key)).build();
    }

    /**
     * The key as a container's {@code envName}, from the Secret. Optional: a pod started before the
     * Secret exists runs without it (no verdicts) rather than not at all.
     */
    public static EnvVar env(RobustModel model, String envName) {
        return new EnvVarBuilder().withName(envName).withNewValueFrom().withNewSecretKeyRef().withName(name(model))
                .withKey(KEY).withOptional(true).endSecretKeyRef().endValueFrom().build();
    }
}
