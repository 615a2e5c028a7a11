package io.robustml.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamespaceNameTest {
    @Test
    void isAValidDnsLabelEvenForLongNames() {
        String name = ControlPlaneExtension.namespaceName("SomeVeryLongTestClassNameForTheOperator",
                "rollsBackWhenCanaryExceedsAdversarialSuccessSloAndMore");
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }
}
