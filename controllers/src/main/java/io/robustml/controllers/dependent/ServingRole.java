package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.robustml.controllers.Owners;
import io.robustml.crds.RobustModel;

/**
 * What a serving pod's sidecar may do with its token: read and watch its own detector ConfigMap (so a
 * containment change applies in seconds) and create events (a rejected detector config is reported on
 * the RobustModel). Nothing else; the model server container mounts no token at all.
 */
public final class ServingRole {
    private ServingRole() {
    }

    public static String name(RobustModel model) {
        return ServingServiceAccount.name(model);
    }

    public static Role desired(RobustModel model) {
        return new RoleBuilder()
                .withMetadata(Owners.ownedMetadata(model, name(model), ServingDeployment.COMPONENT))
                .withRules(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
                                .withResourceNames(DetectorConfigMap.name(model)).withVerbs("get", "list", "watch").build(),
                        new PolicyRuleBuilder().withApiGroups("").withResources("events").withVerbs("create").build())
                .build();
    }

    public static RoleBinding binding(RobustModel model) {
        return new RoleBindingBuilder()
                .withMetadata(Owners.ownedMetadata(model, name(model), ServingDeployment.COMPONENT))
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(name(model)).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(ServingServiceAccount.name(model))
                .withNamespace(model.getMetadata().getNamespace()).endSubject()
                .build();
    }
}
