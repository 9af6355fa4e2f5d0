package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.Drop;
import io.chaosproxy.faults.FaultDecision;
import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.dataplane.BackendChoice;
import io.chaosproxy.proxy.dataplane.UpstreamAttempt;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.BackendPool;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.util.Promise;

/**
 * Connects a tunnel to a backend: round-robin over the backends whose breaker admits a connection
 * ({@link BackendChoice}), one {@link UpstreamAttempt} per try (breaker verdict, journal attempt,
 * {@code target: upstream} faults: latency delays the connect, a hang holds it, a drop fails it).
 * A backend that refuses or times out is skipped for the next; none left ends the tunnel as
 * backend-unreachable.
 */
final class BackendConnect implements UpstreamAttempt.Owner {
    private final TcpTunnel tunnel;
    private final ClientConnector connector;
    private final BackendPool pool;
    private final List<Backend> tried = new ArrayList<>(2);
    private String lastError = "no upstream configured";

    private BackendConnect(TcpTunnel tunnel, ClientConnector connector) {
        this.tunnel = tunnel;
        this.connector = connector;
        this.pool = tunnel.proxy().backendPool();
    }

    static void start(TcpTunnel tunnel, TcpPipes pipes) {
        new BackendConnect(tunnel, pipes.clientConnector()).next();
    }

    private void next() {
        if (tunnel.ended()) {
            return;
        }
        List<Backend> refused = new ArrayList<>(1);
        BackendChoice.Admitted admitted = tried.size() < pool.backends().size() ? BackendChoice.pick(pool, tried, refused) : null;
        if (admitted == null || tried.contains(admitted.backend())) {
            if (admitted != null) {
                admitted.backend().breaker().release(admitted.permit()); // each backend has had its try
            } else if (tried.isEmpty() && !pool.backends().isEmpty()) {
                lastError = "every backend's circuit breaker is open";
                Backend named = refused.isEmpty() ? pool.backends().get(0) : refused.get(0);
                tunnel.attempted(new Attempt(named.label(), null, Attempt.BREAKER_OPEN, 0));
            }
            tunnel.backendUnreachable(lastError);
            return;
        }
        tried.add(admitted.backend());
        new Try(admitted).attempt.start();
    }

    /** One connect to one backend. */
    private final class Try implements UpstreamAttempt.Steps {
        private final UpstreamAttempt attempt;
        private volatile PipeEnd made;

        Try(BackendChoice.Admitted admitted) {
            this.attempt = UpstreamAttempt.ofConnection(tunnel.proxy(), BackendConnect.this, admitted, this);
        }

        @Override
        public void send() {
            if (attempt.faults().terminalFault() instanceof Drop) {
                // an injected upstream drop: the backend "resets" the connect
                if (attempt.settle()) {
                    fail("reset (injected)");
                }
                return;
            }
            Backend backend = attempt.backend();
            URI uri = backend.uri();
            Map<String, Object> context = new HashMap<>();
            context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
            context.put(ClientConnector.CONTEXT_KEY, connector);
            context.put(ClientConnectionFactory.CONTEXT_KEY, (ClientConnectionFactory) (endPoint, ignored) -> {
                PipeEnd end = tunnel.newBackendEnd(endPoint);
                made = end;
                return end;
            });
            context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, new Promise<Connection>() {
                @Override
                public void succeeded(Connection connection) {
                    if (attempt.settle()) {
                        attempt.succeeded();
                        tunnel.backendOpened((PipeEnd) connection, backend.label());
                    } else {
                        connection.close(); // timed out or the client left meanwhile
                    }
                }

                @Override
                public void failed(Throwable cause) {
                    if (attempt.settle()) {
                        fail(UpstreamAttempt.describe(cause));
                    }
                }
            });
            attempt.inFlight(() -> {
                PipeEnd end = made;
                if (end != null) {
                    end.close();
                }
            });
            connector.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), context);
        }

        @Override
        public void timedOut() {
            fail("connect timeout");
        }

        @Override
        public void abandoned() {
            attempt.gaveUp("client gone");
        }

        private void fail(String error) {
            attempt.failed(error);
            lastError = "connect to " + attempt.backend().label() + " failed: " + error;
            next();
        }
    }

    // ---- what the attempt needs to know about the connection ----

    @Override
    public void recordFaults(FaultDecision decision) {
        for (InstalledRule rule : decision.fired()) {
            tunnel.faults().firedUpstream(rule);
        }
    }

    @Override
    public void recordAttempt(Attempt attempt) {
        tunnel.attempted(attempt);
    }

    @Override
    public void end(String why) {
        tunnel.backendUnreachable(why); // the rule holding the connect went with a reset
    }

    @Override
    public boolean isClientGone() {
        return tunnel.ended();
    }

    @Override
    public String proxy() {
        return tunnel.proxy().name();
    }

    @Override
    public String method() {
        return null;
    }

    @Override
    public String path() {
        return null;
    }

    @Override
    public String header(String name) {
        return null;
    }
}
