package io.chaosproxy.proxy;

import io.chaosproxy.proxy.config.RuleTargets;
import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.FaultRule;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.ProxyProtocol;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.config.Upstreams;
import io.chaosproxy.proxy.dataplane.DataPlane;
import io.chaosproxy.proxy.journal.ExchangeListener;
import io.chaosproxy.proxy.dataplane.ProxyCore;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.dataplane.tcp.TcpPipes;
import io.chaosproxy.proxy.demo.DemoUpstream;
import io.chaosproxy.proxy.journal.RequestJournal;
import io.chaosproxy.proxy.metrics.ProxyMetrics;
import io.chaosproxy.proxy.metrics.TrafficSeries;
import io.chaosproxy.proxy.events.EventLog;
import io.chaosproxy.proxy.scenario.ScenarioRunner;
import io.chaosproxy.proxy.tracing.AccessLog;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * An embeddable chaos proxy: build it, {@link #start()} it, point the service under test at
 * {@link #url()}, inject faults, read the journal, {@link #close()} it. The control API, the CLI
 * and the JUnit extension are all thin layers over this class.
 */
public final class ChaosProxyServer implements AutoCloseable {
    private static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        // Unless told, Jetty asks the platform MBean server whether oops are compressed, to size its
        // padding: that loads some 370 JMX classes, a large share of a cold test JVM's first proxy.
        // Oops are compressed below 32 GiB of heap (64-byte lines / 4-byte references = 16).
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, Runtime.getRuntime().maxMemory() < (32L << 30) ? "16" : "8");
        }
    }

    private final Builder config;
    private final UpstreamTls upstreamTls;
    private final FaultEngine faults;
    private final RequestJournal journal;
    private final AccessLog accessLog;
    private final ProxyMetrics metrics; // null when off: Micrometer is a good share of a cold JVM's first proxy
    private final TrafficSeries traffic = new TrafficSeries(); // small and Micrometer-free: always on
    private final ProxyCore core;
    private final DataPlane dataPlane;
    private final ScenarioRunner scenarios;
    private final AtomicBoolean closed = new AtomicBoolean();
    private DemoUpstream demoUpstream;
    private ControlPlane control;

    private ChaosProxyServer(Builder config) {
        this.config = config;
        long seed = config.seed != null ? config.seed : ThreadLocalRandom.current().nextLong();
        this.faults = new FaultEngine(seed, Clock.systemUTC());
        this.journal = new RequestJournal(config.journalCapacity);
        this.accessLog = config.accessLogFormat == null ? null : new AccessLog(config.accessLogFormat, config.accessLogOut);
        List<ExchangeListener> listeners = new ArrayList<>();
        listeners.add((entry, query, fired) -> journal.record(entry));
        this.metrics = config.metrics || config.control != null ? new ProxyMetrics() : null;
        if (metrics != null) {
            listeners.add(metrics);
        }
        listeners.add(traffic);
        if (accessLog != null) {
            listeners.add(accessLog);
        }
        this.core = new ProxyCore(faults, listeners);
        this.upstreamTls = config.upstreamTls();
        this.dataPlane = new DataPlane(core, config.listenerTls, upstreamTls,
                new TcpPipes(core, config.resilience.connectTimeout()));
        if (metrics != null) {
            metrics.bind(dataPlane::proxies, faults);
        }
        this.scenarios = new ScenarioRunner(faults, core.scheduler(), core.events());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Opens every listener; returns once they accept connections. */
    public ChaosProxyServer start() throws IOException {
        if (upstreamTls.insecure()) {
            LoggerFactory.getLogger(ChaosProxyServer.class).warn("--upstream-insecure: certificates and host names of https backends are NOT verified; for test backends only");
        }
        try {
            dataPlane.start();
            for (ProxySpec spec : config.proxies.values()) {
                ProxySpec effective = spec;
                if (spec.upstreams().isEmpty() && config.demoUpstreamWhenNone && spec.protocol() == ProxyProtocol.HTTP) {
                    effective = new ProxySpec(spec.name(), spec.listen(), List.of(startDemoUpstream()));
                }
                dataPlane.addProxy(effective, config.resilience);
            }
            if (!config.faults.isEmpty()) {
                faults.installAll(config.faults, "config");
            }
            if (config.control != null) {
                control = controlPlaneStarter().start(this, config.control, config.controlToken);
                if (!config.controlInBackground) {
                    control.awaitStarted();
                }
            }
            return this;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IOException("chaos-proxy could not start: " + e.getMessage(), e);
        }
    }

    // ---- where to send traffic ----

    /** The default proxy's base URL (the only proxy, in most tests). */
    public URI url() {
        return url(ProxySpec.DEFAULT_NAME);
    }

    public URI url(String proxyName) {
        return runtime(proxyName).url();
    }

    /** The {@code host:port} a client of this proxy connects to: what a TCP proxy's clients need. */
    public HostPort address(String proxyName) {
        return runtime(proxyName).address();
    }

    /**
     * Returns once the control API serves calls (at once without one); throws when it could not
     * start. Only needed after {@link Builder#controlInBackground()}: otherwise {@link #start()} waits.
     */
    public void awaitControl() throws IOException {
        if (control != null) {
            control.awaitStarted();
        }
    }

    /** The control API's base URL, or null when this server runs without one (the default in tests). */
    public URI controlUrl() {
        return control == null ? null : control.url();
    }

    /**
     * The seed of every probabilistic fault decision (the latest {@link #reset(long)}'s): give it
     * back with {@code seed(...)} to replay a run.
     */
    public long seed() {
        return faults.seed();
    }

    // ---- proxies ----

    public List<ProxyRuntime> proxies() {
        List<ProxyRuntime> all = new ArrayList<>(dataPlane.proxies());
        all.sort(java.util.Comparator.comparing(ProxyRuntime::name));
        return all;
    }

    public Optional<ProxyRuntime> proxy(String name) {
        return dataPlane.proxy(name);
    }

    /**
     * Refuses, with a {@link io.chaosproxy.faults.FaultSpecException} naming the field, a rule that
     * names no proxy of this server or one whose protocol it cannot act on ({@link RuleTargets}).
     * {@code at} is the rule's place as a field prefix: {@code ""}, {@code "[2]."}.
     */
    public void checkTargets(io.chaosproxy.faults.FaultRule rule, String at) {
        RuleTargets.check(rule, at, protocols());
    }

    /** {@link #checkTargets(io.chaosproxy.faults.FaultRule, String)} for every rule of every phase. */
    public void checkTargets(io.chaosproxy.faults.Scenario scenario) {
        RuleTargets.check(scenario, "", protocols());
    }

    private Map<String, ProxyProtocol> protocols() {
        Map<String, ProxyProtocol> protocols = new LinkedHashMap<>();
        proxies().forEach(proxy -> protocols.put(proxy.name(), proxy.protocol()));
        return protocols;
    }

    /** Starts another named proxy at run time. */
    public ProxyRuntime addProxy(ProxySpec spec) throws IOException {
        return dataPlane.addProxy(spec, config.resilience);
    }

    public boolean removeProxy(String name) {
        return dataPlane.removeProxy(name);
    }

    /** Points a proxy at other backends, e.g. a MockWebServer started after the proxy. */
    public void upstreams(String proxyName, List<URI> upstreams) {
        runtime(proxyName).upstreams(upstreams);
    }

    public void upstreams(List<URI> upstreams) {
        upstreams(ProxySpec.DEFAULT_NAME, upstreams);
    }

    // ---- faults ----

    public FaultEngine faults() {
        return faults;
    }

    /** Installs a rule; it applies to the next request. */
    public InstalledRule inject(FaultRule rule) {
        return faults.install(rule, "api");
    }

    // ---- scenarios ----

    /** Starts, stops and reports the scenario in progress (one at a time). */
    public ScenarioRunner scenarios() {
        return scenarios;
    }

    // ---- journal and reset ----

    public RequestJournal journal() {
        return journal;
    }

    /**
     * Everything back to a clean slate: no scenario, no faults, empty journal, every breaker closed.
     * Exchanges held by the removed rules (a hang, a latency) end unanswered instead of going on:
     * what a test left waiting must not reach the backend during the next one.
     */
    public void reset() {
        core.endingHeldExchanges(() -> {
            scenarios.stop();
            faults.removeAll();
        });
        journal.clear();
        for (ProxyRuntime proxy : dataPlane.proxies()) {
            proxy.resetBreakers();
        }
    }

    /**
     * {@link #reset()}, and a fresh start of the fault rules under {@code seed}: rule ids and
     * generated names count from the start again, so the same rules injected in the same order
     * decide exactly as they did in an earlier run with this seed (how a JUnit test replays alone).
     */
    public void reset(long seed) {
        core.endingHeldExchanges(() -> {
            scenarios.stop();
            faults.restart(seed);
        });
        reset();
    }

    public ResilienceSettings resilience() {
        return config.resilience;
    }

    /** How https backends are checked. */
    public UpstreamTls upstreamTls() {
        return upstreamTls;
    }

    /** The certificate every proxy listener presents, or empty when the listeners are cleartext. */
    public Optional<ListenerTls> listenerTls() {
        return Optional.ofNullable(config.listenerTls);
    }

    /** The Prometheus metrics; on unless {@code builder().metrics(false)} turned them off (a control API turns them on). */
    public ProxyMetrics metrics() {
        if (metrics == null) {
            throw new IllegalStateException("metrics are off: ChaosProxyServer.builder().metrics(true), or a control API, turns them on");
        }
        return metrics;
    }

    /** Requests per second by status class and latency percentiles, per second over the last minutes. */
    public TrafficSeries traffic() {
        return traffic;
    }

    /** Breaker transitions and scenario phase changes, with their times, newest kept. */
    public EventLog events() {
        return core.events();
    }

    /** Stops accepting, lets in-flight exchanges finish for up to {@code grace}, then frees every port and thread. */
    public void stop(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (control != null) {
            control.close();
        }
        dataPlane.stop(grace);
        core.close();
        if (accessLog != null) {
            accessLog.close();
        }
        if (demoUpstream != null) {
            demoUpstream.close();
        }
    }

    /** Idempotent; frees every port and thread at once. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    private ProxyRuntime runtime(String name) {
        return dataPlane.proxy(name).orElseThrow(() -> new NoSuchElementException(
                "no proxy named '" + name + "'; proxies: " + dataPlane.proxies().stream().map(ProxyRuntime::name).toList()));
    }

    private static ControlPlane.Starter controlPlaneStarter() {
        return ServiceLoader.load(ControlPlane.Starter.class, ChaosProxyServer.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no control API on the class path: META-INF/services/"
                        + ControlPlane.Starter.class.getName() + " is missing from the chaos-proxy jar"));
    }

    private URI startDemoUpstream() throws Exception {
        if (demoUpstream == null) {
            demoUpstream = new DemoUpstream().start();
        }
        return demoUpstream.url();
    }

    /** Configuration of a {@link ChaosProxyServer}, checked as it is given. */
    public static final class Builder {
        private final Map<String, ProxySpec> proxies = new LinkedHashMap<>();
        private ResilienceSettings resilience = ResilienceSettings.defaults();
        private Long seed;
        private int journalCapacity = RequestJournal.DEFAULT_CAPACITY;
        private AccessLog.Format accessLogFormat;
        private PrintStream accessLogOut = System.out;
        private boolean demoUpstreamWhenNone;
        private final List<FaultRule> faults = new ArrayList<>();
        private HostPort control;
        private String controlToken;
        private boolean controlInBackground;
        private ListenerTls listenerTls;
        private Path upstreamCaFile;
        private List<X509Certificate> upstreamCas = List.of();
        private boolean upstreamInsecure;
        private boolean metrics = true;

        private Builder() {}

        /**
         * Whether to keep Prometheus metrics (on by default, and always with a control API, which
         * serves them); the JUnit extension turns them off in process, where nobody scrapes them.
         */
        public Builder metrics(boolean enabled) {
            this.metrics = enabled;
            return this;
        }

        /**
         * TLS on every proxy listener, this certificate chain (PEM, leaf first) and its private key
         * (PEM, unencrypted PKCS#8, RSA or EC); ALPN then offers h2 and http/1.1. Cleartext unless
         * asked for. Both files are read now: a bad one fails here, naming it.
         */
        public Builder tls(Path certificatePem, Path privateKeyPem) {
            this.listenerTls = ListenerTls.load(certificatePem, privateKeyPem, "tls certificate", "tls key");
            return this;
        }

        /** As {@link #tls(Path, Path)}, already read; null for cleartext listeners. */
        public Builder tls(ListenerTls tls) {
            this.listenerTls = tls;
            return this;
        }

        /**
         * Trusts the CA certificates of this PEM file for https backends, in addition to the JVM's
         * trust store. Read now: a missing file or one without a certificate fails here, naming it.
         */
        public Builder upstreamCa(Path pem) {
            UpstreamTls trusting = UpstreamTls.trusting(pem);
            this.upstreamCaFile = trusting.caFile();
            this.upstreamCas = trusting.extraCas();
            return this;
        }

        /** Trust every certificate and host name of https backends: for self-signed test backends only. Off by default. */
        public Builder upstreamInsecure(boolean insecure) {
            this.upstreamInsecure = insecure;
            return this;
        }

        /** All of the upstream TLS settings at once (as a config file gives them), replacing earlier ones. */
        public Builder upstreamTls(UpstreamTls tls) {
            this.upstreamCaFile = tls.caFile();
            this.upstreamCas = tls.extraCas();
            this.upstreamInsecure = tls.insecure();
            return this;
        }

        private UpstreamTls upstreamTls() {
            return new UpstreamTls(upstreamCaFile, upstreamCas, upstreamInsecure);
        }

        /** Starts the control API on {@code hostPort} (port 0 picks a free one). Off unless asked for. */
        public Builder control(String hostPort) {
            this.control = HostPort.parse(hostPort);
            return this;
        }

        /**
         * {@link #start()} returns once the control API's port is bound, before its web stack has
         * started (a good share of a cold start, which the proxies need not wait for); calls made
         * meanwhile wait for it, and {@link #awaitControl()} says whether it started. The
         * standalone CLI does this; by default start() waits.
         */
        public Builder controlInBackground() {
            this.controlInBackground = true;
            return this;
        }

        /** Every control call but GET /health then needs {@code Authorization: Bearer token}. */
        public Builder controlToken(String token) {
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("controlToken must not be blank");
            }
            this.controlToken = token;
            return this;
        }

        /** The default proxy: where it listens (port 0 picks a free one) and its backends. */
        public Builder listen(String hostPort) {
            ProxySpec current = proxies.get(ProxySpec.DEFAULT_NAME);
            List<URI> upstreams = current == null ? List.of() : current.upstreams();
            proxies.put(ProxySpec.DEFAULT_NAME, new ProxySpec(ProxySpec.DEFAULT_NAME, HostPort.parse(hostPort), upstreams));
            return this;
        }

        /** Backends of the default proxy, round-robin. */
        public Builder upstream(String... urls) {
            List<URI> upstreams = new ArrayList<>();
            for (String url : urls) {
                upstreams.add(Upstreams.parse(url));
            }
            ProxySpec current = proxies.get(ProxySpec.DEFAULT_NAME);
            HostPort listen = current == null ? HostPort.loopback(0) : current.listen();
            proxies.put(ProxySpec.DEFAULT_NAME, new ProxySpec(ProxySpec.DEFAULT_NAME, listen, upstreams));
            return this;
        }

        /**
         * A TCP proxy named {@code name} in front of {@code upstream} ({@code host:port} or
         * {@code tcp://host:port}), on a free port of 127.0.0.1.
         */
        public Builder tcp(String name, String upstream) {
            return proxy(ProxySpec.tcp(name, HostPort.loopback(0), List.of(upstream)));
        }

        /** Moves a proxy already configured (with {@link #proxy} or the default one) to another listen address. */
        public Builder listen(String proxyName, String hostPort) {
            HostPort listen = HostPort.parse(hostPort);
            ProxySpec current = proxies.get(proxyName);
            if (current == null && !proxyName.equals(ProxySpec.DEFAULT_NAME)) {
                throw new IllegalArgumentException("no proxy named '" + proxyName + "' is configured; declare it with proxy(\""
                        + proxyName + "\", ...) first");
            }
            List<URI> upstreams = current == null ? List.of() : current.upstreams();
            proxies.put(proxyName, new ProxySpec(proxyName, listen, upstreams,
                    current == null ? ProxyProtocol.HTTP : current.protocol()));
            return this;
        }

        /** Another named proxy with its own listener and backends. */
        public Builder proxy(ProxySpec spec) {
            if (proxies.containsKey(spec.name()) && !spec.name().equals(ProxySpec.DEFAULT_NAME)) {
                throw new IllegalArgumentException("a proxy named '" + spec.name() + "' is already configured");
            }
            proxies.put(spec.name(), spec);
            return this;
        }

        public Builder resilience(ResilienceSettings settings) {
            this.resilience = settings;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder journalCapacity(int capacity) {
            if (capacity < 1 || capacity > 1_000_000) {
                throw new IllegalArgumentException("journalCapacity must be 1-1000000, got " + capacity);
            }
            this.journalCapacity = capacity;
            return this;
        }

        /** One line per exchange to {@code out}; off unless asked for (tests rarely want it). */
        public Builder accessLog(AccessLog.Format format, PrintStream out) {
            this.accessLogFormat = format;
            this.accessLogOut = out;
            return this;
        }

        /** When a proxy has no backend, start the built-in echo service and use it. */
        public Builder demoUpstreamWhenNone(boolean enabled) {
            this.demoUpstreamWhenNone = enabled;
            return this;
        }

        /** Rules installed at start, all or nothing. */
        public Builder faults(List<FaultRule> rules) {
            this.faults.addAll(rules);
            return this;
        }

        public ChaosProxyServer build() {
            if (!proxies.containsKey(ProxySpec.DEFAULT_NAME) && proxies.isEmpty()) {
                proxies.put(ProxySpec.DEFAULT_NAME, new ProxySpec(ProxySpec.DEFAULT_NAME, HostPort.loopback(0), List.of()));
            }
            upstreamTls(); // insecure together with a CA file is a contradiction: say so before anything starts
            return new ChaosProxyServer(this);
        }
    }
}
