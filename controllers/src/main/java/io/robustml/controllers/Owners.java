package io.robustml.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Owner references for the objects the operator creates. */
public final class Owners {
    private Owners() {
    }

    /**
     * A controller owner reference: deleting the owner garbage-collects the object, and
     * {@code kubectl describe} shows "Controlled By". Fabric8's plain addOwnerReference sets neither
     * {@code controller} nor {@code blockOwnerDeletion}.
     */
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
