package io.robustml.sidecar.proxy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.robustml.controlplane.LocalControlPlane;
import java.util.Map;

/**
 * The real local API server (controlplane's {@link LocalControlPlane}, shared state: run under
 * {@code flock /tmp/robustml-cluster.lock}) with a namespace and the detector ConfigMap the sidecar under
 * test watches. The sidecar's Fabric8 client auto-configures from the {@code kubeconfig} system property,
 * as it would from {@code KUBECONFIG}. (Not {@code @WithControlPlane}: the sidecar must know the namespace
 * before Quarkus starts, which is before that extension's per-test namespace exists.)
 */
public class DetectorConfigMapOnRealApiServer implements QuarkusTestResourceLifecycleManager {
    static final String CONFIGMAP = "fashion-detector";
    static final String INITIAL = "{\"model\":\"fashion\",\"detector\":{\"methods\":[\"querySimilarity\"],\"action\":\"flag\"}}";
    static volatile String namespace;
    static volatile KubernetesClient client;
    private LocalControlPlane plane;

    @Override
    public Map<String, String> start() {
        plane = LocalControlPlane.startOrReuse();
        client = plane.newClient();
        namespace = "sidecar-watch-" + Long.toHexString(System.nanoTime()).substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                .addToLabels("robustml.io/test", "true").endMetadata().build()).create();
        client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(CONFIGMAP)
                .endMetadata().addToData("detector.json", INITIAL).build()).create();
        System.setProperty("kubeconfig", plane.kubeconfig().toAbsolutePath().toString());
        return Map.of("robustml.detector-configmap", CONFIGMAP, "robustml.pod-namespace", namespace,
                "robustml.verdict-api-keys", "tester-key");
    }

    static void update(String detectorJson) {
        client.configMaps().inNamespace(namespace).withName(CONFIGMAP)
                .edit(cm -> new ConfigMapBuilder(cm).addToData("detector.json", detectorJson).build());
    }

    @Override
    public void stop() {
        if (client != null) {
            client.namespaces().withName(namespace).delete();
            client.close();
        }
        System.clearProperty("kubeconfig");
        if (plane != null) {
            plane.close();
        }
    }
}
