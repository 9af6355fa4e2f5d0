package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.PortInUseException;
import io.chaosproxy.proxy.config.ProxyProtocol;
import io.chaosproxy.proxy.config.ProxySpec;
import io.chaosproxy.proxy.dataplane.transport.RefusableConnector;
import io.chaosproxy.proxy.config.ResilienceSettings;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import io.chaosproxy.proxy.dataplane.transport.ExchangeThreads;
import io.chaosproxy.proxy.dataplane.transport.ListenerProtocols;
import io.chaosproxy.proxy.dataplane.transport.UpstreamClients;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The data plane: one Jetty server with a connector per named proxy. Proxies come and go at run
 * time; each request is dispatched to the proxy that owns the connector it arrived on.
 *
 * <p>Every listener speaks HTTP/1.1 and HTTP/2: cleartext HTTP/2 with prior knowledge on the
 * same port (an {@code Upgrade: h2c} request is answered over HTTP/1.1), or, with
 * {@link ListenerTls}, TLS only, where ALPN offers h2 and http/1.1 (see {@link ListenerProtocols}).
 */
public final class DataPlane implements AutoCloseable {
    /** Client connections idle this long are closed; also bounds how long a slow client can hold one. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Large enough for real-world cookies and tokens; beyond it Jetty answers 431 (414 for the request line). */
    static final int MAX_REQUEST_HEADER_BYTES = 32 * 1024;
    /**
     * Once a request has begun, its whole head must arrive within this: a real client sends it in
     * one write, while a slow-loris client trickling a byte a second would otherwise keep its
     * connection for as long as it likes (the idle timeout restarts with every byte).
     */
    static final Duration REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);
    /** Connections the kernel may hold for the proxy before it accepts them. */
    static final int ACCEPT_QUEUE = 1024;
    private final ProxyCore core;
    /** First of all: the upstream clients, made on a second CPU while this thread sets Jetty up. */
    private final ParallelStart parallelStart = new ParallelStart();
    private final Supplier<UpstreamClients> clients;
    private final Server server;
    private final HttpConfiguration httpConfiguration;
    private final ListenerProtocols protocols;
    private final Map<Connector, ExchangeHandler> handlers = new ConcurrentHashMap<>();
    private final Map<String, ProxyRuntime> proxies = new ConcurrentHashMap<>();
    private final TcpListeners tcp;
    private final RefuseRules refuseRules;
    /** Guards {@link #stopped}; apart from this instance's lock, so the warm-up never holds up an addProxy. */
    private final Object stopping = new Object();
    private boolean stopped; // guarded by stopping

    public DataPlane(ProxyCore core) {
        this(core, null, UpstreamTls.DEFAULT, null);
    }

    /** With TLS on every listener when {@code listenerTls} is not null, and {@code upstreamTls} for https backends. */
    public DataPlane(ProxyCore core, ListenerTls listenerTls, UpstreamTls upstreamTls) {
        this(core, listenerTls, upstreamTls, null);
    }

    /** As above, with {@code tcp} making the listeners of TCP proxies (null: no TCP proxies). */
    public DataPlane(ProxyCore core, ListenerTls listenerTls, UpstreamTls upstreamTls, TcpListeners tcp) {
        this.core = core;
        this.tcp = tcp;
        this.refuseRules = new RefuseRules(core, this::proxies);
        this.clients = parallelStart.supply(() -> new UpstreamClients(upstreamTls, UpstreamFaultInterceptor.INSTANCE,
                List.of(StaleConnectionInterceptor.INSTANCE, FaithfulHeadersInterceptor.INSTANCE, DuplexBodyInterceptor.INSTANCE,
                        ArrivedBytes.INTERCEPTOR)));
        parallelStart.meanwhile(() -> clients.get().prepareFirstCall());
        this.server = new Server(ExchangeThreads.newServerPool());
        this.httpConfiguration = new HttpConfiguration();
        httpConfiguration.setSendServerVersion(false);
        httpConfiguration.setSendDateHeader(false); // the backend's own Date passes through
        httpConfiguration.setSendXPoweredBy(false);
        httpConfiguration.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        httpConfiguration.setHttpCompliance(httpCompliance());
        // Jetty reuses a header field from the connection's previous request when the new one is
        // equal ignoring case, so "Authorization: Bearer AbC" would be forwarded as the earlier
        // "Bearer abc": another client's credential, on a connection a gateway shares. Exact only.
        httpConfiguration.setHeaderCacheCaseSensitive(true);
        httpConfiguration.addCustomizer(new ClientConnections.SchemeFromConnection());
        this.protocols = new ListenerProtocols(httpConfiguration, REQUEST_HEAD_TIMEOUT, listenerTls);
        server.setHandler(new GracefulHandler(new Dispatch()));
        server.setErrorHandler(new ProxyErrorHandler());
        server.setStopTimeout(10_000);
    }

    public void start() throws Exception {
        server.start();
        parallelStart.meanwhile(this::warmUp);
        parallelStart.done();
    }

    /**
     * One throwaway exchange, the upstream client's GET to a private loopback listener that no
     * proxy owns (so {@link Dispatch} answers it 503 itself, and nothing reaches a journal), while
     * the caller goes on: the first real exchange then finds Jetty's HTTP/1.1 path and OkHttp's
     * call path loaded, in a cold test JVM a few hundred classes. Cleartext listeners only.
     */
    private void warmUp() {
        if (protocols.isTls()) {
            return;
        }
        ServerConnector listener;
        synchronized (stopping) {
            if (stopped) {
                return;
            }
            listener = new ServerConnector(server, 1, 1, protocols.newConnectionFactories());
            listener.setHost("127.0.0.1");
            listener.setPort(0);
            server.addConnector(listener);
            try {
                listener.start();
            } catch (Exception e) {
                server.removeConnector(listener);
                return;
            }
        }
        try {
            clients.get().warmUp(HttpUrl.get("http://127.0.0.1:" + listener.getLocalPort() + "/"));
        } finally {
            stopQuietly(listener);
            server.removeConnector(listener);
        }
    }

    /** Opens a listener for {@code spec}; fails with {@link PortInUseException} when it cannot bind. */
    public synchronized ProxyRuntime addProxy(ProxySpec spec, ResilienceSettings settings) throws IOException {
        if (proxies.containsKey(spec.name())) {
            throw new IllegalStateException("a proxy named '" + spec.name() + "' already exists");
        }
        boolean isTcp = spec.protocol() == ProxyProtocol.TCP;
        if (isTcp && tcp == null) {
            throw new IllegalStateException("this data plane was built without TCP support");
        }
        RefusableConnector connector = isTcp ? new RefusableConnector(server)
                : new RefusableConnector(server, protocols.newConnectionFactories());
        connector.setName(spec.name());
        connector.setHost(spec.listen().host());
        connector.setPort(spec.listen().port());
        // A pooled database connection may sit idle for many minutes: a TCP proxy never times one out.
        connector.setIdleTimeout(isTcp ? 0 : IDLE_TIMEOUT.toMillis());
        connector.setReuseAddress(true);
        // A test suite opening a thousand connections at once must not wait on a backlog of 50
        // (Jetty's default): the kernel caps this at net.core.somaxconn anyway.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        ProxyRuntime runtime = new ProxyRuntime(spec, settings, core, clients.get().forProxy(settings), connector);
        if (isTcp) {
            connector.addConnectionFactory(tcp.newConnectionFactory(runtime));
        } else {
            handlers.put(connector, new ExchangeHandler(runtime));
        }
        try {
            connector.open();
        } catch (IOException e) {
            handlers.remove(connector);
            throw new PortInUseException("proxy '" + spec.name() + "'", spec.listen().toString(), e);
        }
        server.addConnector(connector);
        try {
            connector.start();
        } catch (Exception e) {
            server.removeConnector(connector);
            handlers.remove(connector);
            throw new IOException("proxy '" + spec.name() + "' could not start: " + e.getMessage(), e);
        }
        proxies.put(spec.name(), runtime);
        refuseRules.apply(); // a refuse rule naming no proxy closes a new one too
        if (!spec.listen().isLoopback()) {
            // the same for a proxy from the command line, a config file or POST /proxies
            String warning = "proxy '" + spec.name() + "' listens on " + spec.listen() + ": anyone who can reach it can use it"
                    + " to reach its backends and see the faults; listen on 127.0.0.1 unless that is meant";
            org.slf4j.LoggerFactory.getLogger(DataPlane.class).warn(warning);
            System.err.println("WARNING: " + warning);
        }
        return runtime;
    }

    public synchronized boolean removeProxy(String name) {
        ProxyRuntime runtime = proxies.remove(name);
        if (runtime == null) {
            return false;
        }
        stopQuietly(runtime.connector());
        server.removeConnector(runtime.connector());
        handlers.remove(runtime.connector());
        return true;
    }

    public Optional<ProxyRuntime> proxy(String name) {
        return Optional.ofNullable(proxies.get(name));
    }

    public Collection<ProxyRuntime> proxies() {
        return List.copyOf(proxies.values());
    }

    /** Stops accepting, lets in-flight exchanges finish for up to {@code grace}, then closes everything. */
    public void stop(Duration grace) {
        synchronized (stopping) {
            stopped = true; // no warm-up listener opens from now on; an open one stops with the server
        }
        parallelStart.cancel();
        server.setStopTimeout(grace.toMillis());
        try {
            server.stop();
        } catch (Exception e) {
            // a timeout here means some exchange outlived the grace period; it is cut off below
        }
        if (tcp != null) {
            tcp.close();
        }
        UpstreamClients made;
        try {
            made = clients.get();
        } catch (RuntimeException e) {
            return; // they could not be made (the start said why): nothing to close
        }
        made.close();
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    /**
     * RFC 9110 parsing without the one leniency Jetty allows there, a bare LF as a line end:
     * framing that a backend or another proxy could read differently is refused with 400, never
     * guessed at (request smuggling lives in such differences). Made when needed, not in a static
     * initialiser: Jetty's first class boots its logging, which should wait until the upstream
     * clients are being made on the second CPU.
     */
    static HttpCompliance httpCompliance() {
        return HttpCompliance.RFC9110.without("RFC9110_NO_BARE_LF", HttpCompliance.Violation.LF_HEADER_TERMINATION);
    }

    private static void stopQuietly(ServerConnector connector) {
        try {
            connector.stop();
        } catch (Exception e) {
            // stopping a connector only fails if it was already stopped
        }
    }

    /**
     * An exchange that fails after its response was committed ends its connection with a TCP RST,
     * not a FIN. When the body is delimited by the connection's end (an HTTP/1.0 client, a client
     * that sent {@code Connection: close}, any client during a graceful stop, with a backend body
     * of unknown length) a FIN after part of the body is indistinguishable from the whole body;
     * a reset never is. A deliberate FIN (a drop fault with {@code mode: close}) has closed the
     * connection before the callback fails, so it stays a FIN.
     *
     * <p>HTTP/2 needs none of this: there Jetty answers a failed callback with RST_STREAM for that
     * stream, which no client mistakes for a complete body, and the shared connection stays up.
     */
    private static Callback resetWhenCutShort(Request request, Response response, Callback callback) {
        return new Callback() {
            @Override
            public void succeeded() {
                callback.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                if (response.isCommitted() && !ClientConnections.isMultiplexed(request) && !(failure instanceof Exchange.BodyLeftUnread)) {
                    ClientConnections.resetNow(request.getConnectionMetaData().getConnection().getEndPoint());
                }
                callback.failed(failure);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
    }

    private final class Dispatch extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            ExchangeHandler handler = handlers.get(request.getConnectionMetaData().getConnector());
            if (handler == null) {
                Response.writeError(request, response, callback, 503, "this proxy is shutting down");
                return true;
            }
            // While an exchange waits on its backend, a delay or a hang, the client connection is
            // silent; that is not idleness. Each exchange has its own bounds (try timeout, deadline,
            // rule lifetimes), and a graceful stop must not cut in-flight exchanges after a second.
            request.addIdleTimeoutListener(timeout -> false);
            return handler.handle(request, response, resetWhenCutShort(request, response, callback));
        }
    }
}
