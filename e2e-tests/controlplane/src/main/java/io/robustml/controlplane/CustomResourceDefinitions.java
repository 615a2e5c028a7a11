package io.robustml.controlplane;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Installs CRDs into the test cluster with server-side apply and waits until they are served. */
public final class CustomResourceDefinitions {
    private CustomResourceDefinitions() {
    }

    /** Applies the CRD YAML found on the classpath at {@code resource} and waits for Established. */
    public static CustomResourceDefinition applyFromClasspath(KubernetesClient client, String resource) {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalArgumentException("no CRD on the classpath at " + resource);
        }
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.resource(crd).fieldManager("robustml-tests").forceConflicts().serverSideApply();
        return client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(CustomResourceDefinitions::isEstablished,
                        Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A fresh CRD may carry a status with accepted names but no conditions yet: that is "not yet". */
    static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
