package io.robustml.controlplane;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class against the real local control plane. Test methods (and constructors) may take
 * a {@link io.fabric8.kubernetes.client.KubernetesClient}, a {@link TestNamespace} (created for each
 * test and deleted after it) and the {@link LocalControlPlane} itself as parameters.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ControlPlaneExtension.class)
public @interface WithControlPlane {
    /** Pod Security Standard enforced on each test namespace ("" leaves the cluster default, privileged). */
    String podSecurity() default "";
}
