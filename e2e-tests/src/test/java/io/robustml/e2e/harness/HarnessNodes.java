package io.robustml.e2e.harness;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The nodes the harness is the kubelet of. kwok acts at once on every pod bound to the nodes it manages
 * (its "fast" stages make a Pending pod Running and Ready, and a Job's Running pod Succeeded), before any
 * real program runs. So while a scenario runs, each kwok node is cordoned and mirrored by a node of the
 * same shape (labels, taints, capacity: the GPU nodes stay GPU nodes) that kwok does not manage; the real
 * scheduler places the operator's pods there, and the harness alone writes their status. The harness
 * keeps its nodes Ready (status and a Lease renewed every 10 s) and, on close, deletes them and
 * uncordons the kwok nodes (a cordon left by a crashed run is undone by the next one).
 */
final class HarnessNodes implements AutoCloseable {
    static final String LABEL = "robustml.io/e2e-harness";
    static final String CORDONED = "robustml.io/e2e-cordoned";
    private static final String KWOK = "kwok.x-k8s.io/node";

    private final KubernetesClient client;
    private final List<String> names = new ArrayList<>();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "harness-node-heartbeat");
        t.setDaemon(true);
        return t;
    });

    private HarnessNodes(KubernetesClient client) {
        this.client = client;
    }

    static HarnessNodes start(KubernetesClient client) {
        HarnessNodes nodes = new HarnessNodes(client);
        nodes.cleanUp(); // a previous run that crashed
        for (Node kwok : client.nodes().list().getItems()) {
            var annotations = kwok.getMetadata().getAnnotations();
            if (annotations == null || !"fake".equals(annotations.get(KWOK))) {
                continue;
            }
            String name = kwok.getMetadata().getName() + "-e2e";
            Map<String, String> labels = new HashMap<>(kwok.getMetadata().getLabels());
            labels.put("kubernetes.io/hostname", name);
            labels.put(LABEL, "true");
            labels.remove("type");
            Node mirror = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                    .withNewSpec().withTaints(kwok.getSpec().getTaints()).endSpec().build();
            client.nodes().resource(mirror).create();
            nodes.names.add(name);
            Map<String, Object> status = Map.of("status", Map.of(
                    "capacity", kwok.getStatus().getCapacity(), "allocatable", kwok.getStatus().getAllocatable(),
                    "nodeInfo", Map.of("architecture", "amd64", "operatingSystem", "linux", "kubeletVersion", "robustml-e2e-harness"),
                    "addresses", List.of(Map.of("type", "InternalIP", "address", "127.0.0.1"), Map.of("type", "Hostname", "address", name)),
                    "conditions", List.of(Map.of("type", "Ready", "status", "True", "reason", "KubeletReady",
                            "message", "the e2e harness runs this node's pods", "lastHeartbeatTime", now(),
                            "lastTransitionTime", now()))));
            client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                    client.getKubernetesSerialization().asJson(status));
            client.nodes().withName(kwok.getMetadata().getName()).edit(n -> new NodeBuilder(n).editMetadata()
                    .addToAnnotations(CORDONED, "true").endMetadata().editSpec().withUnschedulable(true).endSpec().build());
        }
        nodes.heartbeat.scheduleWithFixedDelay(nodes::renew, 0, 10, TimeUnit.SECONDS);
        return nodes;
    }

    boolean owns(String node) {
        return node != null && names.contains(node);
    }

    private void renew() {
        for (String name : names) {
            try {
                var lease = new LeaseBuilder().withNewMetadata().withName(name).withNamespace("kube-node-lease").endMetadata()
                        .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40)
                        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build();
                client.leases().inNamespace("kube-node-lease").resource(lease).fieldManager("robustml-e2e-harness")
                        .forceConflicts().serverSideApply();
                client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\","
                                + "\"lastHeartbeatTime\":\"" + now() + "\"}]}}");
            } catch (RuntimeException e) {
                System.out.println("[harness] node " + name + ": heartbeat failed: " + e.getMessage());
            }
        }
    }

    /** Deletes every harness node and uncordons every node a harness cordoned. */
    private void cleanUp() {
        client.nodes().withLabel(LABEL, "true").delete();
        for (Node n : client.nodes().list().getItems()) {
            var a = n.getMetadata().getAnnotations();
            if (a != null && a.containsKey(CORDONED)) {
                client.nodes().withName(n.getMetadata().getName()).edit(x -> new NodeBuilder(x).editMetadata()
                        .removeFromAnnotations(CORDONED).endMetadata().editSpec().withUnschedulable(null).endSpec().build());
            }
        }
        client.leases().inNamespace("kube-node-lease").withLabel(LABEL, "true").delete();
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            cleanUp();
            for (String name : names) {
                client.leases().inNamespace("kube-node-lease").withName(name).delete();
            }
        } catch (RuntimeException e) {
            System.out.println("[harness] could not restore the kwok nodes: " + e.getMessage());
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
