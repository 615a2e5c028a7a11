package io.robustml.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * When the model's detector ConfigMap changed on the API server, as a watcher sees it (the same watch the
 * sidecars use): splits "kubectl returned → enforced" into the operator's share and the sidecars'.
 */
final class DetectorConfigWatch implements AutoCloseable {
    /** One version of detector.json: when it was seen, its short sha (as the sidecar's config_info), its text. */
    record Version(Instant seen, String sha, String content) {
    }

    private final List<Version> versions = new CopyOnWriteArrayList<>();
    private final SharedIndexInformer<ConfigMap> informer;

    DetectorConfigWatch(KubernetesClient client, String namespace, String name) {
        informer = client.configMaps().inNamespace(namespace).withName(name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap cm) {
                seen(cm);
            }

            @Override
            public void onUpdate(ConfigMap old, ConfigMap cm) {
                seen(cm);
            }

            @Override
            public void onDelete(ConfigMap cm, boolean unknown) {
            }
        });
    }

    private void seen(ConfigMap cm) {
        String content = cm.getData() == null ? null : cm.getData().get("detector.json");
        if (content == null) {
            return;
        }
        Instant now = Instant.now();
        String sha = shortSha(content);
        if (versions.isEmpty() || !versions.get(versions.size() - 1).sha().equals(sha)) {
            versions.add(new Version(now, sha, content));
        }
    }

    /** The first 12 hex digits of the sha256 of the text's UTF-8 bytes (the sidecar's config_info label). */
    static String shortSha(String content) {
        return Scenario.sha256Hex(content).substring(0, 12);
    }

    /** The version in force now (the latest seen). */
    Version current() {
        if (versions.isEmpty()) {
            throw new IllegalStateException("the detector ConfigMap has not been seen yet");
        }
        return versions.get(versions.size() - 1);
    }

    /** The first version seen after {@code since} that differs from {@code previousSha}; waits up to {@code timeout}. */
    Version nextAfter(Instant since, String previousSha, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (Version v : versions) {
                if (!v.seen().isBefore(since) && !v.sha().equals(previousSha)) {
                    return v;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the detector ConfigMap did not change within " + timeout.toSeconds() + " s");
    }

    List<Version> versions() {
        return List.copyOf(versions);
    }

    @Override
    public void close() {
        informer.close();
    }
}
