package io.chaosproxy.proxy.dataplane.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A proxy listener whose listening socket can be closed and opened again on the same port while
 * the connections it accepted carry on: how a {@code refuse} rule makes new clients see
 * ECONNREFUSED. Jetty's own {@code setAccepting(false)} only stops calling accept(), so the kernel
 * would still complete handshakes into the backlog; here the socket itself goes away.
 *
 * <p>While refusing, the port is held by a socket that is bound but does not listen: a SYN still
 * gets a reset, but the port stays ours. Otherwise the kernel may hand the free port to an outgoing
 * connection as its source port, and a client retrying its connect to that port can end up
 * connected to itself (a TCP self-connect) instead of refused; and nobody else can take it meanwhile.
 *
 * <p>The listening socket is this class's own (not Jetty's): Jetty cannot reopen one once started.
 * Its acceptor thread blocks in {@link #accept(int)} and waits while the listener refuses;
 * accepted channels go to Jetty's selector as with a plain {@link ServerConnector}.
 */
public final class RefusableConnector extends ServerConnector {
    /** Whether the listener takes new connections, and why not when it cannot. */
    public enum State { ACCEPTING, REFUSING, LOST }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition reopened = lock.newCondition();
    private final Condition acceptorOut = lock.newCondition();
    private boolean acceptorIn; // the acceptor thread is inside accept(); guarded by lock
    private volatile ServerSocketChannel channel;
    private SocketChannel placeholder; // holds the port while refusing; guarded by lock
    private volatile int boundPort = -1;
    private volatile State state = State.ACCEPTING;
    private volatile String lostReason;

    public RefusableConnector(Server server, ConnectionFactory... factories) {
        // one acceptor thread: the thread that waits while refusing
        super(server, 1, -1, factories);
    }

    @Override
    public void open() throws IOException {
        lock.lock();
        try {
            if (channel == null) {
                channel = bind(getPort());
                boundPort = channel.socket().getLocalPort();
            }
        } finally {
            lock.unlock();
        }
    }

    private InetSocketAddress address(int port) {
        return getHost() == null ? new InetSocketAddress(port) : new InetSocketAddress(getHost(), port);
    }

    private ServerSocketChannel bind(int port) throws IOException {
        ServerSocketChannel opened = ServerSocketChannel.open();
        try {
            opened.setOption(StandardSocketOptions.SO_REUSEADDR, getReuseAddress());
            opened.bind(address(port), getAcceptQueueSize());
            opened.configureBlocking(true);
            return opened;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /**
     * Closes the listening socket: new connections are refused by the kernel (ECONNREFUSED) from
     * the moment this returns. Open connections are not touched.
     */
    public void refuse() {
        lock.lock();
        try {
            if (state == State.REFUSING) {
                return;
            }
            state = State.REFUSING;
            lostReason = null;
            closeChannel();
            awaitAcceptorOut();
            holdPort();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Listens again on the port it had. False, with {@link #lostReason()} saying why, when the port
     * was taken meanwhile; the listener then stays closed until this is called again.
     */
    public boolean acceptAgain() {
        lock.lock();
        try {
            if (state == State.ACCEPTING || !isRunning()) {
                return true;
            }
            try {
                releasePort();
                channel = bind(boundPort);
                state = State.ACCEPTING;
                lostReason = null;
                reopened.signalAll();
                return true;
            } catch (IOException | RuntimeException e) {
                state = State.LOST;
                lostReason = "cannot listen on port " + boundPort + " again: " + e.getMessage();
                return false;
            }
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        return state;
    }

    /** Why the port could not be taken back; null unless {@link #state()} is LOST. */
    public String lostReason() {
        return lostReason;
    }

    @Override
    public void accept(int acceptorID) throws IOException {
        ServerSocketChannel listening;
        try {
            listening = awaitChannel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException(); // Jetty ends the acceptor on this one
        }
        SocketChannel accepted;
        try {
            accepted = listening.accept();
        } catch (ClosedByInterruptException e) {
            throw e; // stopping
        } catch (AsynchronousCloseException e) {
            return; // refused meanwhile: the next call waits for the socket to come back
        } finally {
            leftAccept();
        }
        if (accepted == null) {
            return;
        }
        if (listening != channel) {
            // came in while the rule was being installed, before refuse() returned: reset, not served
            accepted.setOption(StandardSocketOptions.SO_LINGER, 0);
            accepted.close();
            return;
        }
        accepted.configureBlocking(false);
        configure(accepted.socket());
        getSelectorManager().accept(accepted);
    }

    private ServerSocketChannel awaitChannel() throws InterruptedException {
        lock.lock();
        try {
            while (channel == null || state != State.ACCEPTING) {
                reopened.await();
            }
            acceptorIn = true;
            return channel;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isOpen() {
        ServerSocketChannel listening = channel;
        return listening != null && listening.isOpen();
    }

    @Override
    public Object getTransport() {
        return channel;
    }

    /** The port bound at open, kept while refusing: the port clients come back to. */
    @Override
    public int getLocalPort() {
        return boundPort;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeChannel();
            releasePort();
        } finally {
            lock.unlock();
        }
        super.close();
    }

    private void leftAccept() {
        lock.lock();
        try {
            acceptorIn = false;
            acceptorOut.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the acceptor to leave accept(). A thread blocked in accept() keeps the kernel's
     * listening socket alive after close() until it wakes up, and a client connecting meanwhile
     * would be let in; only once it is out does every new connect get ECONNREFUSED. Bounded, in
     * case the acceptor is stuck: then the listener is closed as far as this side can tell.
     */
    private void awaitAcceptorOut() {
        long left = TimeUnit.SECONDS.toNanos(2);
        try {
            while (acceptorIn && left > 0) {
                left = acceptorOut.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Binds, without listening, the port just closed; a port that cannot be held is only refused. */
    private void holdPort() {
        try {
            SocketChannel holder = SocketChannel.open();
            try {
                holder.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                holder.bind(address(boundPort));
                placeholder = holder;
            } catch (IOException | RuntimeException e) {
                holder.close();
            }
        } catch (IOException e) {
            // no socket to hold the port with: the listener is closed all the same
        }
    }

    private void releasePort() {
        SocketChannel holder = placeholder;
        placeholder = null;
        if (holder != null) {
            try {
                holder.close();
            } catch (IOException e) {
                // an unconnected socket closes without I/O
            }
        }
    }

    private void closeChannel() {
        ServerSocketChannel listening = channel;
        channel = null;
        if (listening != null) {
            try {
                listening.close();
            } catch (IOException e) {
                // closing a listening socket only fails when it is already closed
            }
        }
    }
}
