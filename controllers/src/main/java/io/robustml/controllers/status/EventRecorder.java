package io.robustml.controllers.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes Kubernetes Events that explain the operator's decisions ({@code kubectl describe rm}). */
public final class EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    public static final String COMPONENT = "robustml-operator";

    private EventRecorder() {
    }

    public static void normal(KubernetesClient client, HasMetadata object, String reason, String message) {
        record(client, object, "Normal", reason, message);
    }

    public static void warning(KubernetesClient client, HasMetadata object, String reason, String message) {
        record(client, object, "Warning", reason, message);
    }

    private static void record(KubernetesClient client, HasMetadata object, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withName(object.getMetadata().getName() + "." + Long.toHexString(System.currentTimeMillis())
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)))
                .withNamespace(object.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(object.getApiVersion()).withKind(object.getKind())
                .withName(object.getMetadata().getName()).withNamespace(object.getMetadata().getNamespace())
                .withUid(object.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(truncate(message))
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(event).create();
        } catch (KubernetesClientException e) {
            // An event is an explanation, not state: failing to write one must not fail the reconcile.
            LOG.warn("could not record event {} on {}/{}: {}", reason, object.getMetadata().getNamespace(),
                    object.getMetadata().getName(), e.getMessage());
        }
    }

    private static String truncate(String message) {
        return message.length() <= 1024 ? message : message.substring(0, 1021) + "...";
    }
}
