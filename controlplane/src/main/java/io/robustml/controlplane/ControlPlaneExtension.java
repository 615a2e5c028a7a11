package io.robustml.controlplane;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension behind {@link WithControlPlane}. The control plane is started once per test run
 * (JVM) and stopped at its end if this run started it; each test gets a fresh namespace.
 */
public class ControlPlaneExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver {
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(ControlPlaneExtension.class);

    /** Holds the shared control plane in the root store so JUnit closes it once, after the last test. */
    private record Shared(LocalControlPlane plane, KubernetesClient client)
            implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            client.close();
            plane.close();
        }
    }

    /** The control plane of this test run, started on first use. */
    public static LocalControlPlane controlPlane(ExtensionContext context) {
        return shared(context).plane();
    }

    private static Shared shared(ExtensionContext context) {
        return context.getRoot().getStore(STORE).getOrComputeIfAbsent(Shared.class, k -> {
            LocalControlPlane plane = LocalControlPlane.startOrReuse();
            KubernetesClient client = plane.newClient();
            System.out.println("[control-plane] real kube-apiserver " + client.getKubernetesVersion().getGitVersion()
                    + " at " + client.getMasterUrl() + " (kubeconfig " + plane.kubeconfig() + ")");
            return new Shared(plane, client);
        }, Shared.class);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        shared(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String name = namespaceName(context.getRequiredTestClass().getSimpleName(),
                context.getRequiredTestMethod().getName());
        var labels = new java.util.HashMap<>(Map.of("robustml.io/test", "true"));
        WithControlPlane settings = context.getRequiredTestClass().getAnnotation(WithControlPlane.class);
        String podSecurity = settings == null ? "" : settings.podSecurity();
        if (!podSecurity.isEmpty()) {
            labels.put("pod-security.kubernetes.io/enforce", podSecurity);
        }
        shared(context).client().namespaces().resource(new NamespaceBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata().build()).create();
        context.getStore(STORE).put(TestNamespace.class, new TestNamespace(name));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestNamespace ns = context.getStore(STORE).get(TestNamespace.class, TestNamespace.class);
        if (ns != null && !Boolean.getBoolean("robustml.keepNamespaces")) {
            shared(context).client().namespaces().withName(ns.name()).delete();
        }
    }

    /** A DNS-1123 label: lower-case class and method names and a random suffix, at most 63 characters. */
    static String namespaceName(String testClass, String testMethod) {
        String base = (testClass + "-" + testMethod).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 16);
        int room = 63 - suffix.length() - 1;
        if (base.length() > room) {
            base = base.substring(0, room);
        }
        base = base.replaceAll("^-+|-+$", "");
        return base + "-" + suffix;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubernetesClient.class || type == TestNamespace.class || type == LocalControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == KubernetesClient.class) {
            return shared(context).client();
        }
        if (type == LocalControlPlane.class) {
            return shared(context).plane();
        }
        TestNamespace ns = context.getStore(STORE).get(TestNamespace.class, TestNamespace.class);
        if (ns == null) {
            throw new IllegalStateException("a TestNamespace exists only inside a test method");
        }
        return ns;
    }
}
