package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.config.ResilienceSettings;
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
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.server.ServerConnector;

/** One named proxy while it runs: its listener, its backends with their breakers, its retry rules. */
public final class ProxyRuntime {
    private final String name;
    private final ProxyCore core;
    private final ResilienceSettings settings;
    private final RetryPolicy retryPolicy;
    private final RetryBudget retryBudget;
    private final BackendPool pool;
    private final UpstreamClient client;
    private final ServerConnector connector;

    ProxyRuntime(ProxySpec spec, ResilienceSettings settings, ProxyCore core, UpstreamClient client, ServerConnector connector) {
        this.name = spec.name();
        this.core = core;
        this.settings = settings;
        this.retryPolicy = new RetryPolicy(settings);
        this.retryBudget = new RetryBudget(settings.retryBudgetRatio(), settings.retryBudgetMinPerSecond(),
                settings.retryBudgetWindow(), System::nanoTime);
        this.pool = new BackendPool(backendsFor(spec.upstreams()));
        this.client = client;
        prepareTlsFor(spec.upstreams());
        this.connector = connector;
    }

    public String name() {
        return name;
    }

    /** Where clients reach this proxy; the real port once started, even when 0 was asked for. */
    public HostPort listen() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        return new HostPort(host, connector.getLocalPort());
    }

    /** The base URL a service under test calls instead of its dependency. */
    public URI url() {
        HostPort listen = listen();
        String host = listen.host().equals("0.0.0.0") || listen.host().equals("::") ? "127.0.0.1" : listen.host();
        String scheme = connector.getConnectionFactory(org.eclipse.jetty.server.SslConnectionFactory.class) == null ? "http" : "https";
        return URI.create(scheme + "://" + new HostPort(host, listen.port()) + "/");
    }

    public List<Backend> backends() {
        return pool.backends();
    }

    /** Replaces the backends at run time; new backends start with closed breakers. */
    public void upstreams(List<URI> upstreams) {
        for (URI upstream : upstreams) {
            io.chaosproxy.proxy.config.Upstreams.validate(upstream);
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

    ProxyCore core() {
        return core;
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

    ServerConnector connector() {
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
