package io.robustml.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.robustml.crds.run.AdversarialTestRunSpec;
import io.robustml.crds.run.AdversarialTestRunStatus;

/**
 * One adversarial analysis of one revision: created by the operator, executed by the tester Job,
 * which writes the measured metrics into status. The spec is a frozen copy of what was asked.
 */
@Group(RobustModel.GROUP)
@Version(RobustModel.VERSION)
@ShortNames("atr")
@Categories("robustml")
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.target.model", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Revision", jsonPath = ".spec.target.revision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ASR", jsonPath = ".status.adversarialSuccessRate", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Verdict", jsonPath = ".status.verdict", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class AdversarialTestRun extends CustomResource<AdversarialTestRunSpec, AdversarialTestRunStatus>
        implements Namespaced {
}
