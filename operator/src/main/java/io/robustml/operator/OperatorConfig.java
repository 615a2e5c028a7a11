package io.robustml.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * The operator's own settings ({@code robustml.*}; the Helm chart sets them as ROBUSTML_* variables), in one place.
 * Quarkus' and QOSDK's settings (watched namespaces, logging) keep their own prefixes. The namespaces the serving
 * NetworkPolicy admits (ROBUSTML_MONITORING_NAMESPACE, POD_NAMESPACE) are read by that policy's dependent, which
 * JOSDK instantiates itself (docs/operator.md).
 */
@ConfigMapping(prefix = "robustml")
public interface OperatorConfig {
    /** The images the operator puts into the pods it creates. */
    Images images();

    /** The lease two replicas share (on in the prod profile, see LeaderElection). */
    LeaderElection leaderElection();

    /**
     * Each image a full reference, {@code registry/repository:tag} or {@code …@sha256:…}; the chart sets them from
     * {@code images.*}.
     */
    interface Images {
        /** The model server container of every serving pod (unless spec.serving.image replaces it). */
        String modelServer();

        /** The detector sidecar container of every serving pod. */
        String sidecarDetector();

        /** The analysis Job's container. */
        String adversarialTester();

        /** imagePullPolicy of those containers; absent: Kubernetes' default for the reference. */
        Optional<String> pullPolicy();
    }

    interface LeaderElection {
        @WithDefault("robustml-operator")
        String leaseName();

        /** Absent: the operator pod's own namespace in a cluster. */
        Optional<String> leaseNamespace();

        /** A replica that lost its lease ends its process (false: tests only). */
        @WithDefault("true")
        boolean exitOnStopLeading();
    }
}
