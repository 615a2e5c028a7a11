package io.robustml.controllers.rollout;

import io.robustml.crds.model.RobustModelSpec;
import io.robustml.crds.model.RobustModelStatus;
import io.robustml.crds.model.RolloutSpec;

/**
 * rollout.rescan.onFailure: contain. While the serving revision's last re-scan failed, its sidecars block
 * flagged inputs (detector action block), whatever spec.detector.action says; a re-scan of it that
 * passes, or another revision promoted, lifts it. Pure: read from the spec and the recorded status, so the
 * detector ConfigMap and the status always agree.
 */
public final class RescanContainment {
    private RescanContainment() {
    }

    /** The spec asks a failed re-scan to contain. */
    public static boolean contains(RobustModelSpec spec) {
        return spec.rollout != null && spec.rollout.rescan != null && spec.rollout.rescan.onFailure == RolloutSpec.OnFailure.CONTAIN;
    }

    /** Containment holds now. */
    public static boolean inForce(RobustModelSpec spec, RobustModelStatus status) {
        return contains(spec) && status != null && status.stableRevision != null && status.lastRescan != null
                && "Failed".equals(status.lastRescan.verdict) && status.stableRevision.equals(status.lastRescan.revision);
    }
}
