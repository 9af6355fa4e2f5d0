package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.faults.InstalledRule;
import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import io.chaosproxy.proxy.journal.Attempt;
import io.chaosproxy.proxy.journal.ConnectionRecord;
import io.chaosproxy.proxy.journal.JournalEntry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.Callback;

/**
 * One client connection of a TCP proxy and its backend connection: two {@link Flow}s between
 * two {@link PipeEnd}s, and one journal entry when it ends.
 *
 * <p>How it ends: when each side has half-closed (its FIN passed on to the other) the tunnel
 * finishes cleanly, named after the side that closed first; a reset or error on either side
 * resets both; a drop rule cuts both with its mode; no backend reachable closes the client.
 */
final class TcpTunnel {
    private final TcpPipes pipes;
    private final ProxyRuntime proxy;
    private final Connector connector;
    private final long number;
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final PipeEnd clientEnd;
    private final String client;
    private final ConnectionFaults faults;
    private final List<Attempt> attempts = new ArrayList<>(1);
    private final List<Parked> parked = new ArrayList<>(1);
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger streamsEnded = new AtomicInteger();
    private volatile PipeEnd backendEnd;
    private volatile String backend;
    private volatile Flow up;
    private volatile Flow down;
    private volatile String firstToClose;

    /** A chunk held by a hang rule, and how to try it again. */
    private record Parked(InstalledRule rule, Runnable retry, Callback done) {}

    TcpTunnel(TcpPipes pipes, ProxyRuntime proxy, Connector connector, EndPoint clientEndPoint, long number) {
        this.pipes = pipes;
        this.proxy = proxy;
        this.connector = connector;
        this.number = number;
        this.clientEnd = new PipeEnd(clientEndPoint, connector.getExecutor(), this, true);
        this.client = address(clientEndPoint.getRemoteSocketAddress()); // gone once the socket closes
        this.faults = new ConnectionFaults(pipes.faults(), proxy.name(), this::bytes);
    }

    PipeEnd clientEnd() {
        return clientEnd;
    }

    ProxyRuntime proxy() {
        return proxy;
    }

    ConnectionFaults faults() {
        return faults;
    }

    ByteBufferPool bufferPool() {
        return connector.getByteBufferPool();
    }

    boolean stopping() {
        return connector.isShutdown() || !connector.isRunning();
    }

    boolean ended() {
        return ended.get();
    }

    /** A backend side, made by the backend connector once a TCP handshake is done; adopted by {@link #backendOpened}. */
    PipeEnd newBackendEnd(EndPoint endPoint) {
        return new PipeEnd(endPoint, connector.getExecutor(), this, false);
    }

    void attempted(Attempt attempt) {
        synchronized (attempts) {
            attempts.add(attempt);
        }
    }

    /** The client's side is open: a drop at connect cuts it now, else the backend is connected. */
    void clientOpened() {
        proxy.connectionCounters().opened();
        DirectionFaults.Cut atConnect = faults.atConnect();
        if (atConnect != null) {
            cut(atConnect);
        } else {
            BackendConnect.start(this, pipes);
        }
    }

    /** The backend took the connection: the bytes may flow. */
    void backendOpened(PipeEnd end, String label) {
        this.backend = label;
        this.backendEnd = end;
        if (ended.get()) {
            end.getEndPoint().close(); // the client left while the backend connection was being made
            return;
        }
        Flow upward = new Flow(this, true, clientEnd, end, pipes.jitterSeed(number, true));
        Flow downward = new Flow(this, false, end, clientEnd, pipes.jitterSeed(number, false));
        this.up = upward;
        this.down = downward;
        clientEnd.readBy(upward);
        end.readBy(downward);
        upward.readMore();
        downward.readMore();
    }

    /** No backend took the connection: the client's connection is closed without a byte. */
    void backendUnreachable(String why) {
        finish(ConnectionRecord.END_BACKEND_UNREACHABLE, why, false);
    }

    /** A direction's source sent FIN: pass it on; once both have, the tunnel is done. */
    void endOfStream(Flow direction, PipeEnd sink) {
        String side = direction.upstream() ? ConnectionRecord.END_CLIENT_CLOSED : ConnectionRecord.END_BACKEND_CLOSED;
        synchronized (this) {
            if (firstToClose == null) {
                firstToClose = side;
            }
        }
        boolean both = streamsEnded.incrementAndGet() == 2;
        sink.getEndPoint().shutdownOutput();
        if (both) {
            finish(firstToClose, null, false);
        }
    }

    void failed(Flow direction, Throwable cause) {
        if (cause instanceof FaultCutException || ended.get()) {
            return; // the cut or the end that caused this has already ended the tunnel
        }
        String who = direction.upstream() ? "client" : "backend";
        finish(ConnectionRecord.END_RESET, who + " connection failed: " + describe(cause), true);
    }

    /** An end closed: the pumps look at it, so a FIN they were not waiting for is still seen. */
    void closed(PipeEnd end, Throwable cause) {
        if (ended.get() || (!end.isClient() && end != backendEnd)) {
            return; // over already, or a backend connection this tunnel never adopted
        }
        if (cause != null) {
            finish(ConnectionRecord.END_RESET, (end.isClient() ? "client" : "backend") + " connection failed: " + describe(cause), true);
            return;
        }
        Flow upward = up;
        Flow downward = down;
        if (upward == null) {
            finish(end.isClient() ? ConnectionRecord.END_CLIENT_CLOSED : ConnectionRecord.END_BACKEND_CLOSED, null, false);
            return;
        }
        upward.readMore();
        downward.readMore();
    }

    void cut(DirectionFaults.Cut cut) {
        finish(ConnectionRecord.END_FAULT, "dropped: " + (cut.reset() ? "reset" : "close") + " by rule " + cut.rule().id(), cut.reset());
    }

    void carried(boolean upstream, long bytes) {
        if (upstream) {
            proxy.connectionCounters().up(bytes);
        } else {
            proxy.connectionCounters().down(bytes);
        }
    }

    void later(Runnable task, long delay, TimeUnit unit) {
        try {
            proxy.core().scheduler().schedule(task, delay, unit);
        } catch (RejectedExecutionException e) {
            finish(ConnectionRecord.END_RESET, "the proxy is stopping", true);
        }
    }

    /** Holds a chunk until the hang rule goes; the rule's removal (or expiry) wakes it. */
    void park(InstalledRule rule, Runnable retry, Callback done) {
        synchronized (parked) {
            if (ended.get()) {
                done.failed(new ClosedChannelException());
                return;
            }
            parked.add(new Parked(rule, retry, done));
        }
        pipes.parked(this, rule);
    }

    /** Tries the held chunks again: a rule went, or changed. */
    void wake() {
        List<Parked> held;
        synchronized (parked) {
            held = List.copyOf(parked);
            parked.clear();
        }
        for (Parked one : held) {
            one.retry().run();
        }
    }

    boolean hasParked() {
        synchronized (parked) {
            return !parked.isEmpty();
        }
    }

    private long[] bytes() {
        Flow upward = up;
        Flow downward = down;
        return new long[] {upward == null ? 0 : upward.forwarded(), downward == null ? 0 : downward.forwarded()};
    }

    private void finish(String end, String error, boolean reset) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        close(clientEnd, reset);
        PipeEnd backendSide = backendEnd;
        if (backendSide != null) {
            close(backendSide, reset);
        }
        List<Parked> held;
        synchronized (parked) {
            held = List.copyOf(parked);
            parked.clear();
        }
        for (Parked one : held) {
            one.done().failed(new ClosedChannelException());
        }
        pipes.forget(this);
        proxy.connectionCounters().closed();
        record(end, error);
    }

    private static void close(PipeEnd end, boolean reset) {
        if (reset) {
            ClientConnections.resetNow(end.getEndPoint());
        } else {
            end.getEndPoint().close();
        }
    }

    private void record(String end, String error) {
        List<InstalledRule> fired = faults.fired();
        String scenario = null;
        for (InstalledRule rule : fired) {
            if (rule.origin().startsWith("scenario:")) {
                scenario = rule.origin().substring("scenario:".length());
                break;
            }
        }
        long[] bytes = bytes();
        List<Attempt> tried;
        synchronized (attempts) {
            tried = List.copyOf(attempts);
        }
        ConnectionRecord connection = new ConnectionRecord("tcp", client,
                backendEnd == null ? null : backend, bytes[0], bytes[1], end);
        JournalEntry entry = new JournalEntry("tcp-" + number, proxy.name(),
                fired.stream().map(InstalledRule::id).toList(), tried,
                (System.nanoTime() - startNanos) / 1_000_000, startedAt, scenario, error, connection);
        proxy.core().recordConnection(entry, fired);
    }

    private static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
