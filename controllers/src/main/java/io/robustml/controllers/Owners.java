package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.robustml.crds.RobustModel;

/** Owner references for the objects the operator creates. */
public final class Owners {
    private Owners() {
    }

    /**
     * A controller owner reference: deleting the owner garbage-collects the object, and
     * {@code kubectl describe} shows "Controlled By". Fabric8's plain addOwnerReference sets neither
     * {@code controller} nor {@code blockOwnerDeletion}.
     */
    /** Metadata of an object the model owns: its namespace, our labels and a controller reference. */
    public static ObjectMeta ownedMetadata(RobustModel model,
            String name, String component) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(model.getMetadata().getNamespace())
                .withLabels(Labels.of(model, component))
                .withOwnerReferences(controlledBy(model))
                .build();
    }

    public static OwnerReference controlledBy(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }
}
