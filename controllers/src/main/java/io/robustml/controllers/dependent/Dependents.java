package io.robustml.controllers.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.robustml.crds.RobustModel;

/** The JOSDK dependents (server-side apply) for the pure desired-state classes of this package. */
public final class Dependents {
    private Dependents() {
    }

    public static class ServiceDependent extends CRUDKubernetesDependentResource<Service, RobustModel> {
        public ServiceDependent() {
            super(Service.class);
        }

        @Override
        protected Service desired(RobustModel primary, Context<RobustModel> context) {
            return ServingService.desired(primary);
        }
    }

    public static class ServiceAccountDependent extends CRUDKubernetesDependentResource<ServiceAccount, RobustModel> {
        public ServiceAccountDependent() {
            super(ServiceAccount.class);
        }

        @Override
        protected ServiceAccount desired(RobustModel primary, Context<RobustModel> context) {
            return ServingServiceAccount.desired(primary);
        }
    }

    public static class DetectorConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, RobustModel> {
        public DetectorConfigMapDependent() {
            super(ConfigMap.class);
        }

        @Override
        protected ConfigMap desired(RobustModel primary, Context<RobustModel> context) {
            return DetectorConfigMap.desired(primary);
        }
    }

    public static class DisruptionBudgetDependent
            extends CRUDKubernetesDependentResource<PodDisruptionBudget, RobustModel> {
        public DisruptionBudgetDependent() {
            super(PodDisruptionBudget.class);
        }

        @Override
        protected PodDisruptionBudget desired(RobustModel primary, Context<RobustModel> context) {
            return ServingDisruptionBudget.desired(primary);
        }
    }

    public static class ServingRoleDependent
            extends CRUDKubernetesDependentResource<io.fabric8.kubernetes.api.model.rbac.Role, RobustModel> {
        public ServingRoleDependent() {
            super(io.fabric8.kubernetes.api.model.rbac.Role.class);
        }

        @Override
        protected io.fabric8.kubernetes.api.model.rbac.Role desired(RobustModel primary, Context<RobustModel> context) {
            return ServingRole.desired(primary);
        }
    }

    public static class ServingRoleBindingDependent
            extends CRUDKubernetesDependentResource<io.fabric8.kubernetes.api.model.rbac.RoleBinding, RobustModel> {
        public ServingRoleBindingDependent() {
            super(io.fabric8.kubernetes.api.model.rbac.RoleBinding.class);
        }

        @Override
        protected io.fabric8.kubernetes.api.model.rbac.RoleBinding desired(RobustModel primary, Context<RobustModel> context) {
            return ServingRole.binding(primary);
        }
    }

    public static class NetworkPolicyDependent
            extends CRUDKubernetesDependentResource<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy, RobustModel> {
        public NetworkPolicyDependent() {
            super(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        }

        @Override
        protected io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy desired(RobustModel primary,
                Context<RobustModel> context) {
            return ServingNetworkPolicy.desired(primary, ServingNetworkPolicy.monitoringNamespace(),
                    ServingNetworkPolicy.operatorNamespace());
        }
    }
}
