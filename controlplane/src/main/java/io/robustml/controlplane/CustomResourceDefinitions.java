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
        return apply(client, in);
    }

    /** The Gateway API release scripts/cluster build fetches (controlplane/build.sh). */
    public static final String GATEWAY_API_VERSION = "v1.4.1";

    private static CustomResourceDefinition apply(KubernetesClient client, InputStream in) {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.resource(crd).fieldManager("robustml-tests").forceConflicts().serverSideApply();
        return client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                .waitUntilCondition(CustomResourceDefinitions::isEstablished,
                        Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Applies the CRD YAML in {@code file} and waits for Established. */
    public static CustomResourceDefinition applyFromFile(KubernetesClient client, java.nio.file.Path file) {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            return apply(client, in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Installs the Gateway API's standard CRDs (GatewayClass, Gateway, HTTPRoute) that
     * {@code scripts/cluster build} copied from the {@code sigs.k8s.io/gateway-api} module.
     */
    public static void installGatewayApi(KubernetesClient client) {
        java.nio.file.Path dir = LocalControlPlane.binDir().resolve("gateway-api-" + GATEWAY_API_VERSION);
        for (String kind : java.util.List.of("gatewayclasses", "gateways", "httproutes")) {
            java.nio.file.Path file = dir.resolve("gateway.networking.k8s.io_" + kind + ".yaml");
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IllegalStateException("no " + file + ": run scripts/cluster build");
            }
            applyFromFile(client, file);
        }
    }

    /** A fresh CRD may carry a status with accepted names but no conditions yet: that is "not yet". */
    static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
