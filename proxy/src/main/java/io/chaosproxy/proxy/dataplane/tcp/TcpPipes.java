package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.dataplane.ProxyCore;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.dataplane.TcpListeners;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What the TCP proxies of one process share: the backend connector (Jetty's non-blocking
 * {@link ClientConnector}, no thread per connection), the rule feed, the connections held by hang
 * rules, and the connection numbering the jitter seeds and journal ids come from.
 */
public final class TcpPipes implements TcpListeners {
    private final ProxyCore core;
    private final ClientConnector clientConnector = new PlainClientConnector();
    private final RuleFeed feed;
    private final Set<TcpTunnel> holding = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();

    /** {@code connectTimeout} bounds each backend connect, after which the next backend is tried. */
    public TcpPipes(ProxyCore core, Duration connectTimeout) {
        this.core = core;
        this.feed = new RuleFeed(core.faults(), this::afterRulesChanged);
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName("chaos-proxy-tcp");
        threads.setDaemon(true);
        clientConnector.setExecutor(threads);
        clientConnector.setConnectTimeout(connectTimeout);
        clientConnector.setIdleTimeout(Duration.ZERO); // idle backend connections of a pool are normal
        clientConnector.setTCPNoDelay(true);
    }

    @Override
    public ConnectionFactory newConnectionFactory(ProxyRuntime proxy) {
        startConnector();
        return new TcpConnectionFactory(this, proxy);
    }

    /** With the first TCP proxy: a process with none keeps no selector or threads for them. */
    private synchronized void startConnector() {
        if (clientConnector.isStarted()) {
            return;
        }
        try {
            clientConnector.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the TCP backend connector: " + e.getMessage(), e);
        }
    }

    TcpTunnel newTunnel(ProxyRuntime proxy, Connector connector, EndPoint endPoint) {
        return new TcpTunnel(this, proxy, connector, endPoint, connections.incrementAndGet());
    }

    ClientConnector clientConnector() {
        return clientConnector;
    }

    RuleFeed faults() {
        return feed;
    }

    /** Each connection's jitter draws from its own seeded sequence, so other connections do not shift it. */
    long jitterSeed(long connection, boolean upstream) {
        return feed.seed() * 31 + connection * 2 + (upstream ? 1 : 0);
    }

    /** A tunnel holds a chunk for {@code rule}: wake it when the rules change, and look again when the rule expires. */
    void parked(TcpTunnel tunnel, InstalledRule rule) {
        holding.add(tunnel);
        if (!feed.isLive(rule)) {
            schedule(this::wakeAll, 0); // gone meanwhile: no change will come to wake it
        } else {
            core.removeWhenDue(rule); // the removal wakes the holders
        }
    }

    void forget(TcpTunnel tunnel) {
        holding.remove(tunnel);
    }

    /** Never inline: the change may come from inside a connection's own fault refresh. */
    private void afterRulesChanged() {
        if (!holding.isEmpty()) {
            schedule(this::wakeAll, 0);
        }
    }

    private void wakeAll() {
        for (TcpTunnel tunnel : holding) {
            holding.remove(tunnel);
            tunnel.wake();
        }
    }

    private void schedule(Runnable task, long delayMs) {
        try {
            core.scheduler().schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: the tunnels are closed with the listeners
        }
    }

    @Override
    public synchronized void close() {
        try {
            clientConnector.stop();
        } catch (Exception e) {
            // stopping only fails when already stopped
        }
    }

    /**
     * Bytes only, never TLS: without this, starting the connector would make (and start) a default
     * TLS client factory, loading the JVM's trust store, a few hundred milliseconds of a cold start.
     */
    private static final class PlainClientConnector extends ClientConnector {
        @Override
        protected SslContextFactory.Client newSslContextFactory() {
            return null;
        }
    }

}
