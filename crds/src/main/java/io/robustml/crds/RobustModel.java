package io.robustml.crds;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A model served behind a detector sidecar, rolled out as a canary gated by adversarial tests. */
@Group(RobustModel.GROUP)
@Version(RobustModel.VERSION)
@ShortNames("rm")
public class RobustModel extends CustomResource<RobustModelSpec, RobustModelStatus> implements Namespaced {
    public static final String GROUP = "robustml.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected RobustModelStatus initStatus() {
        return new RobustModelStatus();
    }
}
