package io.robustml.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.robustml.controlplane.CustomResourceDefinitions;
import io.robustml.controlplane.LocalControlPlane;
import java.util.Map;

/**
 * Points the Quarkus application under test at the real local control plane (started or reused)
 * and installs the generated CRD before the operator starts its informers.
 */
public class RealControlPlaneResource implements QuarkusTestResourceLifecycleManager {
    private LocalControlPlane plane;

    @Override
    public Map<String, String> start() {
        plane = LocalControlPlane.startOrReuse();
        try (KubernetesClient client = plane.newClient()) {
            System.out.println("[control-plane] real kube-apiserver " + client.getKubernetesVersion().getGitVersion()
                    + " at " + client.getMasterUrl());
            CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/robustmodels.robustml.io-v1.yml");
            CustomResourceDefinitions.applyFromClasspath(client, "META-INF/fabric8/adversarialtestruns.robustml.io-v1.yml");
        }
        Config config = plane.config();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", config.getMasterUrl(),
                "quarkus.kubernetes-client.token", config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken(),
                "quarkus.kubernetes-client.ca-cert-file", config.getCaCertFile(),
                "robustml.test.kubeconfig", plane.kubeconfig().toString());
    }

    @Override
    public void stop() {
        if (plane != null) {
            plane.close();
        }
    }
}
