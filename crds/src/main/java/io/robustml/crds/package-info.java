/**
 * The robustml.io API: custom resource classes only, no client code. The CRD YAML is generated from
 * these classes by the build and checked in under {@code crds/generated/}.
 */
package io.robustml.crds;
