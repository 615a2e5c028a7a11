package io.robustml.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.robustml.crds.model.RobustModelSpec;
import io.robustml.crds.model.RobustModelStatus;

/**
 * A model served behind a detector sidecar; every new version is rolled out as a canary and gated by
 * an adversarial test suite against the SLOs.
 */
@Group(RobustModel.GROUP)
@Version(RobustModel.VERSION)
@ShortNames("rm")
@Categories("robustml")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Stable", jsonPath = ".status.stableRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Canary", jsonPath = ".status.canaryRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ASR", jsonPath = ".status.lastAnalysis.adversarialSuccessRate",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// The model's name names its Service (a DNS-1035 label) and, with "-<revision>" (11 characters), each
// revision's Deployment and Service: 63 - 11 = 52.
@io.fabric8.generator.annotation.ValidationRule(value = "self.metadata.name.size() <= " + RobustModel.MAX_NAME_LENGTH
        + " && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message = "a RobustModel's name is a DNS-1035 label (lower case letters, digits and '-', starting with a letter) "
                + "of at most " + RobustModel.MAX_NAME_LENGTH + " characters: its Services are named after it and its revisions")
public class RobustModel extends CustomResource<RobustModelSpec, RobustModelStatus> implements Namespaced {
    /** Longest name: {@code <name>-<10-character revision>} must still be a Service name (63). */
    public static final String MAX_NAME_LENGTH = "52";

    public static final String GROUP = "robustml.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected RobustModelStatus initStatus() {
        return new RobustModelStatus();
    }
}
