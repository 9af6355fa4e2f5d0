package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.resilience.Backend;
import io.chaosproxy.proxy.resilience.BackendPool;
import io.chaosproxy.proxy.resilience.CircuitBreaker.Permit;
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
 * Connects a tunnel to a backend: round-robin over the backends whose breaker admits a connection,
 * skipping one that refuses or times out for the next, each try in the journal's attempts. The
 * breaker hears every outcome. No backend left: the tunnel ends as backend-unreachable.
 */
final class BackendConnect {
    private final TcpTunnel tunnel;
    private final ClientConnector connector;
    private final BackendPool pool;
    private final List<Backend> tried = new ArrayList<>(2);
    private final List<Backend> denied = new ArrayList<>(1);
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
        int backends = pool.backends().size();
        while (tried.size() + denied.size() < backends) {
            Backend backend = pool.pick(tried, denied);
            if (backend == null || tried.contains(backend)) {
                break; // every breaker is open, or each backend has had its try
            }
            Permit permit = backend.breaker().tryAcquire();
            if (permit == Permit.DENIED) {
                denied.add(backend); // another connection took its half-open probe
                continue;
            }
            tried.add(backend);
            connect(backend, permit);
            return;
        }
        if (backends > 0 && tried.isEmpty()) {
            lastError = "every backend's circuit breaker is open";
            tunnel.attempted(new Attempt(pool.backends().size() == 1 ? pool.backends().get(0).label() : null,
                    null, Attempt.BREAKER_OPEN, 0));
        }
        tunnel.backendUnreachable(lastError);
    }

    private void connect(Backend backend, Permit permit) {
        URI uri = backend.uri();
        long start = System.nanoTime();
        Map<String, Object> context = new HashMap<>();
        context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
        context.put(ClientConnector.CONTEXT_KEY, connector);
        context.put(ClientConnectionFactory.CONTEXT_KEY,
                (ClientConnectionFactory) (endPoint, ignored) -> tunnel.newBackendEnd(endPoint, backend.label()));
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, new Promise<Connection>() {
            @Override
            public void succeeded(Connection connection) {
                backend.breaker().onSuccess(permit);
                tunnel.attempted(new Attempt(backend.label(), null, null, millisSince(start)));
            }

            @Override
            public void failed(Throwable cause) {
                backend.breaker().onFailure(permit);
                lastError = "connect to " + backend.label() + " failed: " + TcpTunnel.describe(cause);
                tunnel.attempted(new Attempt(backend.label(), null, TcpTunnel.describe(cause), millisSince(start)));
                next();
            }
        });
        connector.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), context);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
