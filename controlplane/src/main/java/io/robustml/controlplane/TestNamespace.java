package io.robustml.controlplane;

/** The namespace a single test owns. */
public record TestNamespace(String name) {
}
