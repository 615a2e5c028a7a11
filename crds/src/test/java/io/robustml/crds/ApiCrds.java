package io.robustml.crds;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.robustml.controlplane.CustomResourceDefinitions;

/** Installs this module's generated CRDs into the test cluster once per test JVM. */
final class ApiCrds {
    private static boolean installed;

    private ApiCrds() {
    }

    static synchronized void install(KubernetesClient client) {
        if (!installed) {
            CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
            CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
            installed = true;
        }
    }
}
