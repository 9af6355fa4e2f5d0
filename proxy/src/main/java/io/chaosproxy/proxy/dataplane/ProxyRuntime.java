package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxyProtocol;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.dataplane.transport.RefusableConnector;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import io.chaosproxy.proxy.dataplane.transport.UpstreamClient;
import io.chaosproxy.proxy.events.ProxyEvent.BreakerTransition;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.BackendPool;
import io.chaosproxy.proxy.resilience.CircuitBreaker;
import io.chaosproxy.proxy.resilience.RetryBudget;
import io.chaosproxy.proxy.resilience.RetryPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** One named proxy while it runs: its listener, its backends with their breakers, its retry rules. */
public final class ProxyRuntime {
    private final String name;
    private final ProxyProtocol protocol;
    private final ConnectionCounters connections = new ConnectionCounters();
    private final ProxyCore core;
    private final ResilienceSettings settings;
    private final RetryPolicy retryPolicy;
    private final RetryBudget retryBudget;
    private final BackendPool pool;
    private final UpstreamClient client;
    private final RefusableConnector connector;
    /** Uploads that may wait on a platform thread at once; null when uncapped (virtual threads, or 0). */
    private final Semaphore uploadThreads;

    ProxyRuntime(ProxySpec spec, ResilienceSettings settings, ProxyCore core, UpstreamClient client, RefusableConnector connector) {
        this.name = spec.name();
        this.protocol = spec.protocol();
        this.core = core;
        this.settings = settings;
        this.retryPolicy = new RetryPolicy(settings);
        this.retryBudget = new RetryBudget(settings.retryBudgetRatio(), settings.retryBudgetMinPerSecond(),
                settings.retryBudgetWindow(), System::nanoTime);
        this.pool = new BackendPool(backendsFor(spec.upstreams()));
        this.client = client;
        prepareTlsFor(spec.upstreams());
        this.connector = connector;
        this.uploadThreads = ExchangeThreads.virtual() || settings.uploadThreads() == 0
                ? null : new Semaphore(settings.uploadThreads());
    }

    /** The cap on uploads waiting on platform threads, or null when there is none. */
    Semaphore uploadThreads() {
        return uploadThreads;
    }

    public String name() {
        return name;
    }

    /** Where clients reach this proxy; the real port once started, even when 0 was asked for. */
    public HostPort listen() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        return new HostPort(host, connector.getLocalPort());
    }

    /** The base URL a service under test calls instead of its dependency; {@code tcp://host:port} for a TCP proxy. */
    public URI url() {
        if (protocol == ProxyProtocol.TCP) {
            return URI.create("tcp://" + address());
        }
        String scheme = connector.getConnectionFactory(org.eclipse.jetty.server.SslConnectionFactory.class) == null ? "http" : "https";
        return URI.create(scheme + "://" + address() + "/");
    }

    /** The {@code host:port} a client connects to: the listen address, with a wildcard host as 127.0.0.1. */
    public HostPort address() {
        HostPort listen = listen();
        String host = listen.host().equals("0.0.0.0") || listen.host().equals("::") ? "127.0.0.1" : listen.host();
        return new HostPort(host, listen.port());
    }

    public ProxyProtocol protocol() {
        return protocol;
    }

    /** Connections and bytes of a TCP proxy (all zero for an HTTP proxy). */
    public ConnectionCounters.Snapshot connections() {
        return connections.snapshot();
    }

    /** Whether the listener takes new connections (a refuse rule closes it), and why not when it lost its port. */
    public RefusableConnector.State listenerState() {
        return connector.state();
    }

    /** Why the listener could not take its port back after a refuse rule; null when it could. */
    public String listenerProblem() {
        return connector.lostReason();
    }

    /** For the TCP pipes: the counters they keep up to date. */
    public ConnectionCounters connectionCounters() {
        return connections;
    }

    /** For the TCP pipes: the shared fault engine, scheduler and listeners. */
    public ProxyCore core() {
        return core;
    }

    /** For the TCP pipes: the backends, chosen round-robin among those whose breaker admits a connection. */
    public BackendPool backendPool() {
        return pool;
    }

    public List<Backend> backends() {
        return pool.backends();
    }

    /** Replaces the backends at run time; new backends start with closed breakers. */
    public void upstreams(List<URI> upstreams) {
        for (URI upstream : upstreams) {
            io.chaosproxy.proxy.config.Upstreams.validate(upstream, protocol);
        }
        prepareTlsFor(upstreams);
        pool.replace(backendsFor(upstreams));
    }

    public void resetBreakers() {
        pool.resetBreakers();
    }

    public ResilienceSettings settings() {
        return settings;
    }

    BackendPool pool() {
        return pool;
    }

    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    RetryBudget retryBudget() {
        return retryBudget;
    }

    /** The OkHttp client for a call to {@code url} of {@code backend} (cleartext, h2c or TLS). */
    OkHttpClient client(Backend backend, HttpUrl url) {
        return client.forBackend(backend, url);
    }

    /** A client that opens a new connection for its call; see {@link UpstreamClient#freshConnection}. */
    OkHttpClient freshConnectionClient(Backend backend, HttpUrl url) {
        return client.freshConnection(backend, url);
    }

    private void prepareTlsFor(List<URI> upstreams) {
        if (upstreams.stream().anyMatch(uri -> "https".equalsIgnoreCase(uri.getScheme()))) {
            client.prepareTls();
        }
    }

    /** For WebSocket handshakes: see {@link UpstreamClient#forWebSockets()}. */
    OkHttpClient webSocketClient(HttpUrl url) {
        return client.forWebSockets().forUrl(url);
    }

    RefusableConnector connector() {
        return connector;
    }

    private List<Backend> backendsFor(List<URI> upstreams) {
        List<Backend> backends = new ArrayList<>(upstreams.size());
        for (URI upstream : upstreams) {
            CircuitBreaker.TransitionListener toEventLog = (from, to) -> core.events().record(
                    new BreakerTransition(java.time.Instant.now(), name, upstream.toString(), from, to));
            backends.add(new Backend(upstream,
                    new CircuitBreaker(settings.breakerFailures(), settings.breakerCooldown(), System::nanoTime, toEventLog)));
        }
        return backends;
    }
}
