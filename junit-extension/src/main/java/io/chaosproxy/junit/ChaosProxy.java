package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.Scenario;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.config.Upstreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A chaos proxy for JUnit 5 tests: the extension, and the handle a test drives it with.
 *
 * <pre>{@code
 * @ChaosProxyConfig(maxAttempts = 1)              // or @ExtendWith(ChaosProxy.class) for the defaults
 * class CheckoutTest {
 *     @StartStop final MockWebServer payments = new MockWebServer();
 *
 *     @Test
 *     void fallsBackWhenPaymentsIsSlow(ChaosProxy proxy) {
 *         proxy.upstream(payments.url("/"));
 *         proxy.inject(latency(Duration.ofSeconds(2)).onPath("/payments/**"));
 *         var checkout = new Checkout(proxy.url());      // the service under test calls the proxy
 *         ...
 *         proxy.requests().toPath("/payments/**").await(1, Duration.ofSeconds(5));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Three ways to get one.</b> {@code @ExtendWith(ChaosProxy.class)} or {@link ChaosProxyConfig}
 * on a class starts one proxy for the class, configured by the annotation, and hands it to every
 * parameter of type {@code ChaosProxy} (constructor, lifecycle and test methods).
 * {@code @RegisterExtension static ChaosProxy proxy = ChaosProxy.builder()...build();} configures it in
 * code; that instance is the proxy (an instance field instead gives each test its own).
 * {@link #remote(URI)} drives a standalone proxy over its control API with the same methods.
 *
 * <p><b>Lifecycle.</b> One proxy per test class on a free loopback port, started before all its
 * tests and stopped after them (even when they fail), freeing its ports and threads. {@code @Nested}
 * classes share it unless they carry their own {@link ChaosProxyConfig}. Before each test, faults
 * are removed, the scenario is stopped, the journal is cleared and breakers are closed, unless
 * {@link ChaosProxyConfig#resetBeforeEach()} says otherwise; the backends set with
 * {@link #upstream(URI)} stay. Test classes run in parallel each have their own proxy.
 * {@link ChaosScenario} runs a scenario during a test.
 */
public final class ChaosProxy implements BeforeAllCallback, BeforeEachCallback, BeforeTestExecutionCallback,
        AfterTestExecutionCallback, ParameterResolver, AutoCloseable {

    private static final Namespace NAMESPACE = Namespace.create(ChaosProxy.class);
    private static final String BINDING = "binding";
    private static final String SCENARIO_STARTED = "scenario-started";
    private static final String PARALLEL_ENABLED = "junit.jupiter.execution.parallel.enabled";

    /** How to start this handle's in-process proxy; null for a remote handle and for the {@code @ExtendWith} instance. */
    private final Blueprint blueprint;
    /** A remote handle's control, usable from construction; null otherwise. */
    private final RemoteControl remote;
    private final Object lock = new Object();
    private ProxyControl control; // guarded by lock; non-null while started (always, for a remote handle)
    private String servedClass;   // guarded by lock; the test class (or test) this handle serves now
    private String lastServed;    // guarded by lock; the one it served before it was closed, for messages

    /**
     * The extension JUnit creates for {@code @ExtendWith(ChaosProxy.class)} and {@link ChaosProxyConfig}:
     * it starts a proxy per test class and hands it to parameters. It is not itself a proxy; tests
     * receive one as a parameter, or create one with {@link #builder()} or {@link #remote(URI)}.
     */
    public ChaosProxy() {
        this(null, null);
    }

    private ChaosProxy(Blueprint blueprint, RemoteControl remote) {
        this.blueprint = blueprint;
        this.remote = remote;
        this.control = remote;
    }

    /** Configures an in-process proxy in code, for {@code @RegisterExtension}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The same API over a standalone proxy's control API, e.g. {@code http://127.0.0.1:8474}, for
     * pipelines that run the proxy as a process. Usable at once, or as an extension with
     * {@code @RegisterExtension} (which checks it is reachable, and resets it before each test).
     */
    public static ChaosProxy remote(URI controlUrl) {
        return remote(controlUrl, null);
    }

    /** {@link #remote(URI)} for a control API started with {@code --control-token}. */
    public static ChaosProxy remote(URI controlUrl, String token) {
        return new ChaosProxy(null, new RemoteControl(Objects.requireNonNull(controlUrl, "controlUrl"), token));
    }

    // ---- where the service under test sends its traffic ----

    /** The default proxy's base URL, e.g. {@code http://127.0.0.1:53127/}: give it to the service under test. */
    public URI url() {
        return url(ProxySpec.DEFAULT_NAME);
    }

    /** A named proxy's base URL (see {@link NamedProxy}). */
    public URI url(String proxyName) {
        return control().url(proxyName);
    }

    // ---- where the proxy sends it ----

    /** Points the default proxy at this backend, e.g. a MockWebServer's {@code server.url("/")}. */
    public ChaosProxy upstream(String url) {
        return upstream(ProxySpec.DEFAULT_NAME, url);
    }

    /** Points the default proxy at this backend. */
    public ChaosProxy upstream(URI url) {
        return upstream(ProxySpec.DEFAULT_NAME, url);
    }

    /** Points the default proxy at this backend, e.g. a MockWebServer's {@code server.url("/")}. */
    public ChaosProxy upstream(HttpUrl url) {
        return upstream(ProxySpec.DEFAULT_NAME, url);
    }

    /** Points a named proxy at this backend. */
    public ChaosProxy upstream(String proxyName, String url) {
        return upstreams(proxyName, List.of(Upstreams.parse(url)));
    }

    /** Points a named proxy at this backend. */
    public ChaosProxy upstream(String proxyName, URI url) {
        return upstreams(proxyName, List.of(url));
    }

    /** Points a named proxy at this backend. */
    public ChaosProxy upstream(String proxyName, HttpUrl url) {
        return upstreams(proxyName, List.of(Objects.requireNonNull(url, "url").uri()));
    }

    /** Points a named proxy at several backends, round-robin; new backends start with closed breakers. */
    public ChaosProxy upstreams(String proxyName, List<URI> urls) {
        for (URI url : urls) {
            Upstreams.validate(url);
        }
        control().upstreams(proxyName, List.copyOf(urls));
        return this;
    }

    // ---- faults ----

    /** Installs a fault described with {@link Faults}; it applies from the next request on. */
    public InjectedFault inject(FaultSpec<?> fault) {
        return inject(fault.toRule());
    }

    /** Installs a fault rule, e.g. one read from JSON with {@code FaultRuleParser}. */
    public InjectedFault inject(FaultRule rule) {
        return control().inject(Objects.requireNonNull(rule, "rule"));
    }

    /** Removes every fault, the running scenario's included. */
    public void removeFaults() {
        control().removeFaults();
    }

    /** Starts a built-in scenario, replacing a running one; an unknown name lists the built-in ones. */
    public void startScenario(String builtInName) {
        control().startScenario(Objects.requireNonNull(builtInName, "builtInName"));
    }

    /** Starts the scenario in a YAML or JSON document, replacing a running one. */
    public void startScenario(Path file) {
        control().startScenario(ScenarioParser.parse(file));
    }

    /** Stops the running scenario and removes its faults; false when none was running. */
    public boolean stopScenario() {
        return control().stopScenario();
    }

    // ---- what happened ----

    /** The journal: every exchange through the proxy since the test began, to filter, count and await. */
    public Requests requests() {
        return new Requests(control());
    }

    /** No faults, no scenario, an empty journal, every breaker closed; what happens before each test. */
    public void reset() {
        control().reset();
    }

    /** The seed of the proxy's probabilistic decisions: give it back with {@code seed} to replay a run. */
    public long seed() {
        return control().seed();
    }

    /**
     * Stops an in-process proxy, freeing its ports and threads (it starts again if its test class
     * runs again); for a remote handle, lets go of connections, leaving the proxy itself running.
     * JUnit calls this after the class; call it yourself only for a handle used outside JUnit.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (servedClass != null) {
                lastServed = servedClass;
            }
            servedClass = null;
            if (control != null) {
                control.close();
                if (remote == null) {
                    control = null;
                }
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            if (control != null) {
                return "ChaosProxy[" + control.describe() + "]";
            }
        }
        return blueprint == null ? "ChaosProxy[the @ExtendWith extension]" : "ChaosProxy[not started]";
    }

    // ---- the extension ----

    /** Starts the class's proxy, or finds the enclosing class's. */
    @Override
    public void beforeAll(ExtensionContext context) {
        bind(context);
    }

    /** Resets the proxy that serves this test (or, for an instance field, starts this test's own). */
    @Override
    public void beforeEach(ExtensionContext context) {
        Binding binding = bind(context);
        if (binding == null) {
            return;
        }
        if (binding.resetBeforeEach()) {
            refuseConcurrentSharing(context, binding);
            binding.handle().reset();
        }
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        Binding binding = serving(context);
        if (binding == null) {
            return;
        }
        Optional<ChaosScenario> scenario = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(), ChaosScenario.class)
                .or(() -> AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ChaosScenario.class,
                        context.getEnclosingTestClasses()));
        if (scenario.isPresent()) {
            runScenario(scenario.get(), binding.handle(), context);
            context.getStore(NAMESPACE).put(SCENARIO_STARTED, Boolean.TRUE);
        }
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        Binding binding = serving(context);
        if (binding != null && context.getStore(NAMESPACE).remove(SCENARIO_STARTED) != null) {
            binding.handle().stopScenario();
        }
    }

    /** Exactly {@code ChaosProxy}, and only from the extension whose proxy serves this context. */
    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
        if (parameterContext.getParameter().getType() != ChaosProxy.class) {
            return false;
        }
        Binding nearest = context.getStore(NAMESPACE).get(BINDING, Binding.class);
        // None yet: a constructor of a PER_CLASS test instance runs before beforeAll.
        return nearest == null || nearest.owner() == this;
    }

    @Override
    public ChaosProxy resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        Binding binding = bind(context);
        if (binding == null) {
            throw new ExtensionConfigurationException("no ChaosProxy serves " + context.getDisplayName());
        }
        return binding.handle();
    }

    // ---- which proxy serves which context ----

    /**
     * The proxy that serves {@code context}, stored in that context (or an enclosing one) so JUnit
     * closes it when the context ends, even when a test failed. Started here when this extension has
     * none in reach yet (or a nested class asks for its own); null when another ChaosProxy serves
     * the context.
     */
    private Binding bind(ExtensionContext context) {
        Store store = context.getStore(NAMESPACE);
        Binding nearest = store.get(BINDING, Binding.class);
        Binding own = ownBinding(context);
        if (!needsOwn(context, own)) {
            return nearest != null && nearest.owner() == this ? nearest : null;
        }
        if (nearest != null && nearest.owner() != this && (isLocal(nearest, context) || isParentOf(nearest, context))) {
            throw registeredTwice(context);
        }
        Binding created = start(context);
        store.put(BINDING, created);
        return created;
    }

    /**
     * A handle needs starting when it serves nothing in reach; the {@code @ExtendWith} instance also
     * starts a new proxy for a nested class that carries its own {@link ChaosProxyConfig}.
     */
    private boolean needsOwn(ExtensionContext context, Binding own) {
        if (own == null) {
            return true;
        }
        boolean classContext = context.getTestMethod().isEmpty();
        return isExtendWithInstance() && classContext && !isLocal(own, context)
                && ConfigAnnotations.declaredOn(context.getRequiredTestClass());
    }

    /** The binding this extension made nearest to {@code context}, in it or an enclosing context. */
    private Binding ownBinding(ExtensionContext context) {
        for (ExtensionContext at = context; at != null; at = at.getParent().orElse(null)) {
            Binding found = at.getStore(NAMESPACE).get(BINDING, Binding.class);
            if (found != null && found.owner() == this && isLocal(found, at)) {
                return found;
            }
        }
        return null;
    }

    /** The binding serving a test, if this extension made it. */
    private Binding serving(ExtensionContext context) {
        Binding nearest = context.getStore(NAMESPACE).get(BINDING, Binding.class);
        return nearest != null && nearest.owner() == this ? nearest : null;
    }

    private Binding start(ExtensionContext context) {
        ChaosProxy handle = isExtendWithInstance()
                ? new ChaosProxy(ConfigAnnotations.blueprint(ConfigAnnotations.find(context), context), null)
                : this;
        handle.open(describe(context));
        // A remote proxy is always reset: its state outlives the test run, so a test cannot know what it holds.
        boolean reset = handle.blueprint == null || handle.blueprint.resetBeforeEach();
        return new Binding(this, handle, context.getUniqueId(), reset);
    }

    /** Starts this handle's proxy (or, remote, checks it answers) for one test class at a time. */
    private void open(String user) {
        synchronized (lock) {
            if (servedClass != null) {
                throw new ExtensionConfigurationException("this ChaosProxy already serves " + servedClass
                        + " and cannot serve " + user + " at the same time; give each test class its own"
                        + " (a static field in each class rather than one in a shared base class)");
            }
            try {
                if (remote != null) {
                    remote.verify();
                } else {
                    control = InProcessControl.start(blueprint);
                }
            } catch (IOException e) {
                throw new ExtensionConfigurationException("the chaos proxy for " + user + " could not start: " + e.getMessage(), e);
            } catch (UncheckedIOException | IllegalStateException e) {
                throw new ExtensionConfigurationException("the chaos proxy for " + user + " is not usable: " + e.getMessage(), e);
            }
            servedClass = user;
        }
    }

    /**
     * Tests that run at the same time must not share a proxy that is reset before each of them: one
     * would wipe the other's faults and journal mid-test. Say so rather than let them flake.
     */
    private static void refuseConcurrentSharing(ExtensionContext context, Binding binding) {
        boolean parallel = context.getConfigurationParameter(PARALLEL_ENABLED).map(Boolean::parseBoolean).orElse(false);
        if (parallel && !isLocal(binding, context) && context.getExecutionMode() == ExecutionMode.CONCURRENT) {
            throw new ExtensionConfigurationException("the tests of " + context.getRequiredTestClass().getName()
                    + " run concurrently but share one chaos proxy, which is reset before each test: one test would"
                    + " remove another's faults mid-test. Annotate the class with @Execution(ExecutionMode.SAME_THREAD),"
                    + " give each test its own proxy (a non-static @RegisterExtension field), or set"
                    + " @ChaosProxyConfig(resetBeforeEach = false)");
        }
    }

    private ExtensionConfigurationException registeredTwice(ExtensionContext context) {
        return new ExtensionConfigurationException("ChaosProxy is registered twice on " + context.getRequiredTestClass().getName()
                + ": by @ExtendWith(ChaosProxy.class) or @ChaosProxyConfig, and by a @RegisterExtension field."
                + " Configure the proxy one way: the annotations, or ChaosProxy.builder()");
    }

    private boolean isExtendWithInstance() {
        return blueprint == null && remote == null;
    }

    private static boolean isLocal(Binding binding, ExtensionContext context) {
        return binding.contextId().equals(context.getUniqueId());
    }

    private static boolean isParentOf(Binding binding, ExtensionContext context) {
        return context.getTestMethod().isPresent()
                && context.getParent().map(parent -> isLocal(binding, parent)).orElse(false);
    }

    private static String describe(ExtensionContext context) {
        return context.getTestMethod()
                .map(method -> context.getRequiredTestClass().getName() + "." + method.getName() + "()")
                .orElse(context.getRequiredTestClass().getName());
    }

    private static void runScenario(ChaosScenario annotation, ChaosProxy handle, ExtensionContext context) {
        String where = "@ChaosScenario on " + describe(context);
        boolean byName = !annotation.value().isBlank();
        boolean byFile = !annotation.file().isBlank();
        if (byName == byFile) {
            throw new ExtensionConfigurationException(where + ": give either a built-in name (value) or a file, not "
                    + (byName ? "both" : "neither"));
        }
        try {
            if (byName) {
                handle.startScenario(annotation.value().strip());
            } else {
                handle.control().startScenario(readScenario(annotation.file().strip(), where));
            }
        } catch (FaultSpecException e) {
            throw new ExtensionConfigurationException(where + ": " + e.getMessage(), e);
        }
    }

    /** A file path relative to the working directory, or else a classpath resource. */
    private static Scenario readScenario(String file, String where) {
        Path path = Path.of(file);
        if (Files.isRegularFile(path)) {
            return ScenarioParser.parse(path);
        }
        String resource = file.startsWith("/") ? file.substring(1) : file;
        ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(ChaosProxy.class.getClassLoader());
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ExtensionConfigurationException(where + ": no scenario file " + path.toAbsolutePath()
                        + " and no classpath resource " + resource);
            }
            return ScenarioParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new ExtensionConfigurationException(where + ": cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    private ProxyControl control() {
        String closedAfter;
        synchronized (lock) {
            if (control != null) {
                return control;
            }
            closedAfter = lastServed;
        }
        if (closedAfter != null) {
            throw new IllegalStateException("this ChaosProxy is closed: it served " + closedAfter + " and stopped when that ended"
                    + " (or when close() was called)");
        }
        if (isExtendWithInstance()) {
            throw new IllegalStateException("this ChaosProxy is the extension JUnit created for @ExtendWith(ChaosProxy.class),"
                    + " not a proxy: declare a ChaosProxy parameter on the test method, a lifecycle method or the constructor");
        }
        throw new IllegalStateException("this ChaosProxy is not running: register it with @RegisterExtension on a static"
                + " field (one proxy per test class) or an instance field (one per test)");
    }

    /**
     * Which proxy serves a test context, and the extension that made it; closing it (JUnit does,
     * when the context ends) stops the proxy.
     */
    private record Binding(ChaosProxy owner, ChaosProxy handle, String contextId, boolean resetBeforeEach)
            implements AutoCloseable {
        @Override
        public void close() {
            handle.close();
        }
    }

    /**
     * Configures an in-process proxy; each setter checks its value at once, with the message the
     * proxy's own configuration gives.
     */
    public static final class Builder {
        private HostPort listen = HostPort.loopback(0);
        private final List<URI> upstreams = new ArrayList<>();
        private final Map<String, HostPort> namedListen = new LinkedHashMap<>();
        private final Map<String, List<URI>> namedUpstreams = new LinkedHashMap<>();
        private ResilienceSettings.Builder resilience = ResilienceSettings.builder();
        private Long seed;
        private boolean resetBeforeEach = true;
        private ListenerTls listenerTls;
        private UpstreamTls upstreamTls = UpstreamTls.DEFAULT;

        private Builder() {}

        /** Where the default proxy listens, HOST:PORT; the default {@code 127.0.0.1:0} picks a free port. */
        public Builder listen(String hostPort) {
            this.listen = HostPort.parse(hostPort);
            return this;
        }

        /** The default proxy's backends, round-robin; none means "set at run time with {@code upstream(...)}". */
        public Builder upstream(String... urls) {
            List<URI> parsed = new ArrayList<>();
            for (String url : urls) {
                parsed.add(Upstreams.parse(url));
            }
            upstreams.clear();
            upstreams.addAll(parsed);
            return this;
        }

        /** Another proxy with its own free port and backends, reached with {@code url(name)}. */
        public Builder proxy(String name, String... upstreams) {
            List<URI> parsed = new ArrayList<>();
            for (String url : upstreams) {
                parsed.add(Upstreams.parse(url));
            }
            new ProxySpec(name, HostPort.loopback(0), parsed); // checks the name
            if (name.equals(ProxySpec.DEFAULT_NAME)) {
                throw new IllegalArgumentException("'default' is the default proxy's name: configure it with listen(...) and upstream(...)");
            }
            if (namedUpstreams.containsKey(name)) {
                throw new IllegalArgumentException("a proxy named '" + name + "' is already configured");
            }
            namedUpstreams.put(name, List.copyOf(parsed));
            return this;
        }

        /** Where a named proxy declared with {@link #proxy} listens; by default a free loopback port. */
        public Builder listen(String proxyName, String hostPort) {
            HostPort parsed = HostPort.parse(hostPort);
            if (proxyName.equals(ProxySpec.DEFAULT_NAME)) {
                return listen(hostPort);
            }
            if (!namedUpstreams.containsKey(proxyName)) {
                throw new IllegalArgumentException("no proxy named '" + proxyName + "' is configured; declare it with proxy(\""
                        + proxyName + "\", ...) first");
            }
            namedListen.put(proxyName, parsed);
            return this;
        }

        /** Attempts per request for idempotent methods, the first included; 1 turns the proxy's retries off. */
        public Builder maxAttempts(int attempts) {
            resilience.maxAttempts(attempts);
            return this;
        }

        /** Consecutive failures that open a backend's breaker; 0 turns breakers off. */
        public Builder breakerFailures(int failures) {
            resilience.breakerFailures(failures);
            return this;
        }

        /** How long an open breaker waits before it lets one probe through. */
        public Builder breakerCooldown(Duration cooldown) {
            resilience.breakerCooldown(cooldown);
            return this;
        }

        /** How long connecting to a backend may take. */
        public Builder connectTimeout(Duration timeout) {
            resilience.connectTimeout(timeout);
            return this;
        }

        /** How long one attempt may take until the backend's response headers arrive. */
        public Builder tryTimeout(Duration timeout) {
            resilience.tryTimeout(timeout);
            return this;
        }

        /** Every resilience setting at once (retry statuses, backoff, budget, ...); later setters apply on top. */
        public Builder resilience(ResilienceSettings settings) {
            this.resilience = settings.toBuilder();
            return this;
        }

        /** The seed of every probabilistic fault decision, to replay a run; random by default. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * HTTPS on the proxy's listeners (h2 and http/1.1 by ALPN), with this certificate chain (PEM,
         * leaf first) and its unencrypted PKCS#8 key; {@code url()} then says https. Read now.
         */
        public Builder tls(Path certificatePem, Path privateKeyPem) {
            this.listenerTls = ListenerTls.load(certificatePem, privateKeyPem, "tls certificate", "tls key");
            return this;
        }

        /** Trusts the CA certificates of this PEM file for https backends, besides the JVM's trust store. Read now. */
        public Builder upstreamCa(Path pem) {
            UpstreamTls trusting = UpstreamTls.trusting(pem);
            this.upstreamTls = new UpstreamTls(trusting.caFile(), trusting.extraCas(), upstreamTls.insecure());
            return this;
        }

        /** Trusts every certificate and host name of https backends: for self-signed test backends only. */
        public Builder upstreamInsecure(boolean insecure) {
            this.upstreamTls = new UpstreamTls(upstreamTls.caFile(), upstreamTls.extraCas(), insecure);
            return this;
        }

        /** Whether each test starts with no faults, no scenario, an empty journal and closed breakers (the default). */
        public Builder resetBeforeEach(boolean reset) {
            this.resetBeforeEach = reset;
            return this;
        }

        /** The handle; its proxy starts when JUnit first uses it as an extension. */
        public ChaosProxy build() {
            return new ChaosProxy(blueprint(), null);
        }

        Blueprint blueprint() {
            List<Blueprint.Named> named = new ArrayList<>();
            namedUpstreams.forEach((name, urls) ->
                    named.add(new Blueprint.Named(name, namedListen.getOrDefault(name, HostPort.loopback(0)), urls)));
            return new Blueprint(listen, upstreams, named, resilience.build(), seed, resetBeforeEach, listenerTls, upstreamTls);
        }
    }
}
