package io.chaosproxy.junit;

import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.ScenarioParser;
import io.chaosproxy.faults.Seeds;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

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
        AfterTestExecutionCallback, ParameterResolver, TestExecutionExceptionHandler, AutoCloseable {

    /**
     * The system property (or JUnit configuration parameter) that sets the class's seed without
     * editing code, over {@link ChaosProxyConfig#seed()} and {@link Builder#seed(long)}:
     * {@code mvn test -Dtest=CheckoutTest#fallsBack -Dchaosproxy.seed=42}.
     */
    public static final String SEED_PROPERTY = "chaosproxy.seed";

    /** How to start this handle's in-process proxy; null for a remote handle and for the {@code @ExtendWith} instance. */
    private final Blueprint blueprint;
    /** A remote handle's control, usable from construction; null otherwise. */
    private final RemoteControl remote;
    private final Object lock = new Object();
    private ProxyControl control; // guarded by lock; non-null while started (always, for a remote handle)
    private String servedClass;   // guarded by lock; the test class (or test) this handle serves now
    private String lastServed;    // guarded by lock; the one it served before it was closed, for messages
    private final ChaosProxyExtension extension = new ChaosProxyExtension(this);
    private long classSeed;       // guarded by lock; set when the handle opens

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

    /**
     * Where a TCP proxy (see {@link Builder#tcp}) takes connections, {@code host:port}: what the
     * service under test puts in its connection string, e.g.
     * {@code "jdbc:postgresql://" + proxy.address("pg") + "/app"}.
     */
    public String address(String proxyName) {
        return control().address(proxyName);
    }

    /**
     * Where this proxy's control API listens. An in-process proxy serves none unless asked for with
     * {@link Builder#control(String)} or {@link ChaosProxyConfig#control()}: a test drives it through
     * this handle, in the same JVM, and needs no port for that. A remote handle's is the URL it was
     * given.
     */
    public Optional<URI> controlUrl() {
        return control().controlUrl();
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

    /**
     * The seed to give back to replay a run: in a JUnit class, the class's seed
     * ({@link ChaosProxyConfig#seed()}, {@link Builder#seed(long)} or the {@value #SEED_PROPERTY}
     * property, else random). Each test draws from its own seed, derived from this one and the
     * test's unique id, so one test replays alone exactly as it ran in the suite; a failing test's
     * message names both. Outside JUnit, the proxy's seed.
     */
    public long seed() {
        synchronized (lock) {
            if (servedClass != null) {
                return classSeed;
            }
        }
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

    // ---- the extension: every callback is ChaosProxyExtension's ----

    @Override
    public void beforeAll(ExtensionContext context) {
        extension.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        extension.beforeEach(context);
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        extension.beforeTestExecution(context);
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        extension.afterTestExecution(context);
    }

    /** Adds the seed to replay a failing test with to its message (and logs it). */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw extension.withReplayHint(context, failure);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
        return extension.supportsParameter(parameterContext, context);
    }

    @Override
    public ChaosProxy resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        return extension.resolveParameter(context);
    }

    // ---- what the extension needs from a handle ----

    /** A handle for an in-process proxy the {@code @ExtendWith} instance starts for one class. */
    static ChaosProxy inProcess(Blueprint blueprint) {
        return new ChaosProxy(blueprint, null);
    }

    /** Whether this is the instance JUnit made for {@code @ExtendWith}, which starts a proxy per class. */
    boolean isExtendWithInstance() {
        return blueprint == null && remote == null;
    }

    /** A remote proxy is always reset: its state outlives the test run, so a test cannot know what it holds. */
    boolean resetsBeforeEach() {
        return blueprint == null || blueprint.resetBeforeEach();
    }

    /** When this handle writes timeline reports; a remote handle writes them for failed tests. */
    TimelineReport timelineReport() {
        return blueprint == null ? TimelineReport.ON_FAILURE : blueprint.timelineReport();
    }

    /** Starts this handle's proxy (or, remote, checks it answers) for one test class at a time. */
    void open(String user, Long seedOverride) {
        synchronized (lock) {
            if (servedClass != null) {
                throw new ExtensionConfigurationException("this ChaosProxy already serves " + servedClass
                        + " and cannot serve " + user + " at the same time; give each test class its own"
                        + " (a static field in each class rather than one in a shared base class)");
            }
            try {
                if (remote != null) {
                    remote.verify();
                    classSeed = seedOverride != null ? seedOverride : remote.seed();
                } else {
                    control = InProcessControl.start(blueprint, seedOverride);
                    classSeed = control.seed();
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
     * Before a test: a clean slate, and the test's own seed, derived from the class's seed and the
     * test's unique id. Returns that seed.
     */
    long startTest(String testUniqueId) {
        long testSeed = Seeds.derive(classSeed(), testUniqueId);
        control().reset(testSeed);
        return testSeed;
    }

    /** The seed the class's tests derive theirs from. */
    long classSeed() {
        synchronized (lock) {
            return classSeed;
        }
    }

    ProxyControl control() {
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
     * Configures an in-process proxy. It wraps {@link ChaosProxyServer.Builder}: each setter is
     * given to a server builder at once (so a bad value fails here, with the proxy's own message)
     * and kept as a step, and every start of the handle replays the steps on a fresh server builder.
     */
    public static final class Builder {
        /** Checks each setting as it is given, exactly as the proxy will take it. */
        private final ChaosProxyServer.Builder checked = ChaosProxyServer.builder();
        private final List<Consumer<ChaosProxyServer.Builder>> steps = new ArrayList<>();
        private ResilienceSettings.Builder resilience = ResilienceSettings.builder();
        private boolean resetBeforeEach = true;
        private TimelineReport timelineReport = TimelineReport.ON_FAILURE;

        private Builder() {
            // The default proxy always exists, on a free loopback port unless listen(...) says otherwise.
            step(server -> server.listen(HostPort.loopback(0).toString()));
            // Nobody scrapes an in-process test proxy: no Micrometer to load in a cold test JVM.
            step(server -> server.metrics(false));
        }

        private Builder step(Consumer<ChaosProxyServer.Builder> step) {
            step.accept(checked);
            steps.add(step);
            return this;
        }

        /** Where the default proxy listens, HOST:PORT; the default {@code 127.0.0.1:0} picks a free port. */
        public Builder listen(String hostPort) {
            return step(server -> server.listen(hostPort));
        }

        /** The default proxy's backends, round-robin; none means "set at run time with {@code upstream(...)}". */
        public Builder upstream(String... urls) {
            String[] copy = urls.clone();
            return step(server -> server.upstream(copy));
        }

        /** Another proxy with its own free port and backends, reached with {@code url(name)}. */
        public Builder proxy(String name, String... upstreams) {
            List<URI> parsed = new ArrayList<>();
            for (String url : upstreams) {
                parsed.add(Upstreams.parse(url));
            }
            ProxySpec spec = new ProxySpec(name, HostPort.loopback(0), parsed); // checks the name
            if (name.equals(ProxySpec.DEFAULT_NAME)) {
                throw new IllegalArgumentException("'default' is the default proxy's name: configure it with listen(...) and upstream(...)");
            }
            return step(server -> server.proxy(spec));
        }

        /**
         * A TCP proxy named {@code name} in front of {@code upstream} ({@code host:port} or
         * {@code tcp://host:port}), on a free loopback port: a database, cache or broker the
         * service reaches at {@link ChaosProxy#address(String) address(name)}. Faults aim at it
         * with {@code .onProxy(name)}.
         */
        public Builder tcp(String name, String upstream) {
            if (name.equals(ProxySpec.DEFAULT_NAME)) {
                throw new IllegalArgumentException("'default' is the default HTTP proxy's name: give the TCP proxy another");
            }
            return step(server -> server.tcp(name, upstream));
        }

        /** Where a named proxy declared with {@link #proxy} listens; by default a free loopback port. */
        public Builder listen(String proxyName, String hostPort) {
            return step(server -> server.listen(proxyName, hostPort));
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

        /**
         * The class's seed: every test's own seed derives from it and the test's unique id, so a
         * test replays alone exactly as it ran in the suite. Random by default; the system property
         * or JUnit configuration parameter {@code chaosproxy.seed} overrides it.
         */
        public Builder seed(long seed) {
            return step(server -> server.seed(seed));
        }

        /**
         * HTTPS on the proxy's listeners (h2 and http/1.1 by ALPN), with this certificate chain (PEM,
         * leaf first) and its unencrypted PKCS#8 key; {@code url()} then says https. Read now.
         */
        public Builder tls(Path certificatePem, Path privateKeyPem) {
            ListenerTls tls = ListenerTls.load(certificatePem, privateKeyPem, "tls certificate", "tls key");
            return step(server -> server.tls(tls));
        }

        /** Trusts the CA certificates of this PEM file for https backends, besides the JVM's trust store. Read now. */
        public Builder upstreamCa(Path pem) {
            return step(server -> server.upstreamCa(pem));
        }

        /** Trusts every certificate and host name of https backends: for self-signed test backends only. */
        public Builder upstreamInsecure(boolean insecure) {
            return step(server -> server.upstreamInsecure(insecure));
        }

        /**
         * Serves the proxy's control API as well, on {@code hostPort} ({@code 127.0.0.1:0} picks a
         * free port): for what outside this JVM should drive or watch the proxy (a service under
         * test running as a process or container, a script, the dashboard in a browser). Off by
         * default: the test itself drives the proxy through this handle, which needs no port, and
         * without the control API's web stack the first proxy of a test JVM starts several times
         * faster. {@link ChaosProxy#controlUrl()} says where it listens; {@code ChaosProxy.remote(...)}
         * in another JVM drives it.
         */
        public Builder control(String hostPort) {
            return step(server -> server.control(hostPort));
        }

        /** With {@link #control(String)}: every control call but {@code GET /health} needs {@code Authorization: Bearer token}. */
        public Builder controlToken(String token) {
            return step(server -> server.controlToken(token));
        }

        /** Whether each test starts with no faults, no scenario, an empty journal and closed breakers (the default). */
        public Builder resetBeforeEach(boolean reset) {
            this.resetBeforeEach = reset;
            return this;
        }

        /** When to write a test's timeline report: for failed tests (the default), every test, or never. */
        public Builder timelineReport(TimelineReport mode) {
            this.timelineReport = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** The handle; its proxy starts when JUnit first uses it as an extension. */
        public ChaosProxy build() {
            return new ChaosProxy(blueprint(), null);
        }

        Blueprint blueprint() {
            List<Consumer<ChaosProxyServer.Builder>> all = new ArrayList<>(steps);
            ResilienceSettings settings = resilience.build();
            all.add(server -> server.resilience(settings));
            return new Blueprint(all, resetBeforeEach, timelineReport);
        }
    }
}
