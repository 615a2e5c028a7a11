package io.robustml.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The chart in this module's folder, rendered offline by the Helm library that helm-java bundles. */
final class Chart {
    static final Path DIR = Path.of(".").toAbsolutePath().normalize();
    static final String RELEASE = "robustml";
    static final String NAMESPACE = "robustml-system";
    /** The local control plane's release (helm template otherwise assumes v1.20, below the chart's kubeVersion). */
    static final String KUBE_VERSION = io.robustml.controlplane.LocalControlPlane.K8S_VERSION;

    private Chart() {
    }

    /** {@code helm template} with {@code --set} values; the manifests as Kubernetes objects. */
    static List<HasMetadata> render(Map<String, Object> values) {
        return render(RELEASE, NAMESPACE, values);
    }

    static List<HasMetadata> render(String release, String namespace, Map<String, Object> values) {
        TemplateCommand template = new Helm(DIR).template().withName(release).withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return parse(template.call());
    }

    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
                Object parsed = Serialization.unmarshal(doc);
                if (parsed instanceof KubernetesList list) {
                    objects.addAll(list.getItems());
                } else if (parsed instanceof HasMetadata object) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return (T) objects.stream().filter(o -> type.isInstance(o) && name.equals(o.getMetadata().getName()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in " + objects));
    }
}
