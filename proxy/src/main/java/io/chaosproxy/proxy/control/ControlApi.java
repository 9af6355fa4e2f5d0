package io.chaosproxy.proxy.control;

import io.chaosproxy.faults.FaultSpecException;
import io.chaosproxy.faults.NameTakenException;
import io.chaosproxy.proxy.ChaosProxyServer;
import io.chaosproxy.proxy.ControlPlane;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.PortInUseException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API: JSON over HTTP on its own listener, a thin layer over {@link ChaosProxyServer}.
 *
 * <p>Routes live in one class per resource ({@link ServerRoutes}, {@link ProxyRoutes},
 * {@link FaultRoutes}, {@link ScenarioRoutes}, {@link JournalRoutes}, {@link LiveRoutes},
 * {@link DashboardRoutes}); bodies are read and checked
 * in {@link Json}; every failure becomes {@code {"error": ..., "field": ...}} in
 * {@link #mapErrors}. Bad input is always a 4xx: a 500 here means a bug in the proxy, and is logged.
 */
public final class ControlApi implements ControlPlane {
    private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);
    /** Control calls are few and quick: a handful of threads serve any script or test. */
    private static final int MAX_THREADS = 16;
    private static final int MIN_THREADS = 2;
    private static final long IDLE_TIMEOUT_MS = 30_000;
    /** How long anyone waits for the web stack to start: a second or less, unless something is badly wrong. */
    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    /** RFC 9110 parsing without a bare LF as a line end, as on the data plane: ambiguous framing is a 400. */
    private static final HttpCompliance HTTP_COMPLIANCE =
            HttpCompliance.RFC9110.without("RFC9110_NO_BARE_LF", HttpCompliance.Violation.LF_HEADER_TERMINATION);

    private final ChaosProxyServer server;
    private final HostPort listen;
    private final String token;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Counted down once the web stack has started, or failed to. */
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile ServerSocketChannel acceptChannel; // set by start()
    private volatile int port;
    private volatile Javalin app;
    private volatile Throwable startFailure;

    public ControlApi(ChaosProxyServer server, HostPort listen, String tokenOrNull) {
        this.server = server;
        this.listen = listen;
        this.token = tokenOrNull;
        this.port = listen.port();
    }

    /**
     * Binds the listener and returns: from then on it accepts connections, which the kernel holds
     * until Javalin, started on a thread of its own, serves them. So the proxies answer while the
     * control API's web stack still loads (a sixth of a cold start); a call made meanwhile waits
     * for it instead. A bind failure is a {@link PortInUseException}, thrown here.
     */
    public ControlApi start() throws IOException {
        if (token == null && !listen.isLoopback()) {
            String warning = "the control API listens on " + listen + " without a token: anyone who can reach it"
                    + " can inject faults; pass --control-token or listen on 127.0.0.1";
            LOG.warn(warning);
            System.err.println("WARNING: " + warning);
        }
        ServerSocketChannel bound = bind();
        port = bound.socket().getLocalPort();
        acceptChannel = bound;
        Thread starter = new Thread(() -> startWebStack(bound), "chaos-proxy-control-start");
        starter.setDaemon(true);
        starter.start();
        return this;
    }

    private ServerSocketChannel bind() throws IOException {
        ServerSocketChannel opened = ServerSocketChannel.open();
        try {
            opened.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            opened.bind(new InetSocketAddress(listen.host(), listen.port()));
            return opened;
        } catch (IOException e) {
            opened.close();
            throw new PortInUseException("control API", listen.toString(), e);
        } catch (RuntimeException e) { // a host that does not resolve, say
            opened.close();
            throw new IOException("control API could not start on " + listen + ": " + e, e);
        }
    }

    private void startWebStack(ServerSocketChannel bound) {
        Javalin created = null;
        try {
            created = Javalin.create(config -> configure(config, bound));
            created.start();
            app = created;
        } catch (RuntimeException | Error e) {
            startFailure = e;
            LOG.error("control API could not start on {}; its port is closed", listen, e);
            if (created != null) {
                stopQuietly(created);
            }
            closeQuietly(bound); // callers are refused, not left waiting
        } finally {
            started.countDown();
        }
    }

    /** The base URL of the control API, with the real port (even when 0 was asked for). */
    @Override
    public URI url() {
        String host = listen.host().equals("0.0.0.0") || listen.host().equals("::") ? "127.0.0.1" : listen.host();
        return URI.create("http://" + new HostPort(host, port) + "/");
    }

    @Override
    public void awaitStarted() throws IOException {
        if (acceptChannel == null) {
            throw new IllegalStateException("start() first");
        }
        if (!waitForStart()) {
            throw new IOException("control API on " + listen + " did not start within " + START_LIMIT.toSeconds() + " s");
        }
        Throwable failure = startFailure;
        if (failure != null) {
            throw new IOException("control API could not start on " + listen + ": " + failure, failure);
        }
    }

    /** Idempotent; waits (a while) for a start still under way, then stops it. */
    @Override
    public void close() {
        ServerSocketChannel bound = acceptChannel;
        if (bound == null || !closed.compareAndSet(false, true)) {
            return; // not started (nothing to close), or closed already
        }
        waitForStart();
        Javalin running = app;
        if (running != null) {
            stopQuietly(running);
        }
        closeQuietly(bound); // Jetty closes it too, unless its start failed before taking it
    }

    /** How {@link ChaosProxyServer} starts its control API without depending on it (see {@link ControlPlane}). */
    public static final class Starter implements ControlPlane.Starter {
        @Override
        public ControlPlane start(ChaosProxyServer server, HostPort listen, String tokenOrNull) throws IOException {
            return new ControlApi(server, listen, tokenOrNull).start();
        }
    }

    /** Waits, at most {@link #START_LIMIT}, for the start begun by {@link #start()}; false if it is still going. */
    private boolean waitForStart() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        try {
            while (true) {
                try {
                    return started.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // the wait is short and needed; keep the interrupt for the caller
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void configure(JavalinConfig config, ServerSocketChannel bound) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.startup.startupWatcherEnabled = false; // its non-daemon thread would hold a JVM open for 5 s
        config.http.maxRequestSize = Json.MAX_BODY_BYTES;
        config.http.prefer405over404 = true;
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS, 60_000);
        threads.setName("chaos-proxy-control");
        threads.setDaemon(true);
        config.jetty.threadPool = threads;
        config.jetty.addConnector((jetty, httpConfiguration) -> {
            httpConfiguration.setSendServerVersion(false);
            httpConfiguration.setSendXPoweredBy(false);
            httpConfiguration.setHttpCompliance(HTTP_COMPLIANCE);
            // Jetty's per-connection header cache matches ignoring case: after one call with the
            // right token, "Bearer RIGHT-TOKEN" would be taken for "Bearer right-token". Exact only.
            httpConfiguration.setHeaderCacheCaseSensitive(true);
            ServerConnector created = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(httpConfiguration));
            created.setHost(listen.host());
            created.setPort(listen.port());
            created.setIdleTimeout(IDLE_TIMEOUT_MS);
            created.setName("control");
            try {
                created.open(bound);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return created;
        });
        config.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JsonErrorHandler()));

        if (token != null) {
            config.routes.before(new BearerAuth(token));
        }
        new ServerRoutes(server).install(config.routes);
        new ProxyRoutes(server).install(config.routes);
        new FaultRoutes(server).install(config.routes);
        new ScenarioRoutes(server).install(config.routes);
        new JournalRoutes(server).install(config.routes);
        new LiveRoutes(server).install(config.routes);
        new DashboardRoutes().install(config.routes);
        mapErrors(config);
    }

    /** The one place failures become answers; Javalin picks the handler of the closest exception class. */
    private static void mapErrors(JavalinConfig config) {
        config.routes.exception(ApiError.class, (e, ctx) ->
                Json.sendError(ctx, e.status(), e.getMessage(), e.field(), e.headers()));
        config.routes.exception(NameTakenException.class, (e, ctx) ->
                Json.sendError(ctx, 409, e.getMessage(), "name", Map.of()));
        config.routes.exception(FaultSpecException.class, (e, ctx) ->
                Json.sendError(ctx, 400, e.getMessage(), e.field(), Map.of()));
        config.routes.exception(IllegalArgumentException.class, (e, ctx) ->
                Json.sendError(ctx, 400, e.getMessage(), null, Map.of()));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e instanceof MethodNotAllowedResponse) {
                String allowed = e.getDetails().getOrDefault("availableMethods", e.getDetails().get("Available methods"));
                Json.sendError(ctx, 405, "method " + ctx.method().name() + " is not allowed on " + ctx.path()
                        + (allowed == null ? "" : "; allowed: " + allowed), null,
                        allowed == null ? Map.of() : Map.of("Allow", allowed));
            } else if (e.getStatus() == 404) {
                Json.sendError(ctx, 404, "no control call " + ctx.method().name() + " " + ctx.path(), null, Map.of());
            } else {
                Json.sendError(ctx, e.getStatus(), e.getMessage(), null, Map.of());
            }
        });
        config.routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("control call {} {} failed", ctx.method().name(), ctx.path(), e);
            Json.sendError(ctx, 500, "internal error in chaos-proxy: " + e, null, Map.of());
        });
    }

    private static void closeQuietly(ServerSocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("control API listener did not close cleanly", e);
        }
    }

    private static void stopQuietly(Javalin javalin) {
        try {
            javalin.stop();
        } catch (RuntimeException e) {
            LOG.debug("control API did not stop cleanly", e);
        }
    }
}
