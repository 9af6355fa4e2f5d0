package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.dataplane.transport.ClientConnections;
import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices at once that an HTTP/1.1 client closed its connection while the proxy holds its exchange
 * (a hang, a latency, a backoff, a slow backend), and closes the proxy's side of it, so that the
 * exchange ends as given up instead of sitting in CLOSE-WAIT until the rule goes.
 *
 * <p>Why it is needed: Jetty reads an HTTP/1.1 connection only while somebody asks for the request
 * body, so an exchange that is held learns nothing of its client. HTTP/2 reads all the time, and
 * tells the exchange itself when the client resets the stream or closes the connection.
 *
 * <p>When: once the exchange is held, or has lasted 20-40 ms (see {@link ClientWatchSweep}); "held"
 * below means both.
 *
 * <p>How: while the exchange is held, the watch is the connection's read interest. End of stream
 * closes the connection; bytes (a pipelined request) are handed back to Jetty's connection
 * untouched, and the watch ends. It must end before Jetty reads again (the request body
 * is read, or the response completes): {@link #stop()} withdraws the read interest. A request
 * with a body is watched once its body has been read (see {@link BodyReadAhead}).
 */
final class ClientWatch implements Callback {
    /** For a connection that is not watched: HTTP/2, or one Jetty was reading already. */
    static final ClientWatch NONE = new ClientWatch(null, null, cause -> { });

    /** Of what arrives while watching (a pipelined request), this much is read and handed back. */
    private static final int PEEK = 512;

    private final EndPoint endPoint;
    private final HttpConnection connection;
    private final Consumer<Throwable> onClosed;
    private boolean watching; // guarded by this

    private ClientWatch(EndPoint endPoint, HttpConnection connection, Consumer<Throwable> onClosed) {
        this.endPoint = endPoint;
        this.connection = connection;
        this.onClosed = onClosed;
    }

    /**
     * Starts watching the connection of {@code request}, if it is HTTP/1.1, the request has no body
     * and Jetty holds no unread byte of the connection; {@code onClosed} hears of the client closing
     * it. Call it only while the exchange is going and Jetty is not reading (it reads again only
     * when asked to, or once the exchange completes): from any thread, under the exchange's lock.
     *
     * <p>A request with a body is not watched here: the bytes that arrive are its body, which
     * belongs to Jetty's parser. Once the body has been read to its end, {@link #afterBody} watches.
     */
    static ClientWatch start(Request request, Consumer<Throwable> onClosed) {
        return RequestGuard.hasBody(request) ? NONE : watch(request, onClosed);
    }

    /**
     * Starts watching the connection of {@code request} once its body has been read to the end:
     * Jetty reads the connection again only when the exchange completes.
     */
    static ClientWatch afterBody(Request request, Consumer<Throwable> onClosed) {
        return watch(request, onClosed);
    }

    private static ClientWatch watch(Request request, Consumer<Throwable> onClosed) {
        // an Upgrade (h2c, websocket) may hand the connection to another protocol, which reads it itself
        if (ClientConnections.isMultiplexed(request)
                || request.getHeaders().contains(HttpHeader.UPGRADE)
                || !(request.getConnectionMetaData().getConnection() instanceof HttpConnection http1)
                || !http1.isRequestBufferEmpty()
                || !(http1.getEndPoint() instanceof AbstractEndPoint endPoint)) {
            return NONE;
        }
        ClientWatch watch = new ClientWatch(endPoint, http1, onClosed);
        synchronized (watch) {
            watch.watching = endPoint.tryFillInterested(watch);
        }
        return watch;
    }

    /** Ends the watch before Jetty reads the connection again; the read interest is withdrawn. */
    synchronized void stop() {
        if (!watching) {
            return;
        }
        watching = false;
        // fails our own interest only: nothing else registers while the exchange is held
        ((AbstractEndPoint) endPoint).getFillInterest().onFail(new Stopped());
    }

    /** The connection is readable: its end, or bytes that belong to Jetty. */
    @Override
    public void succeeded() {
        boolean closed;
        synchronized (this) {
            if (!watching) {
                return; // stopped meanwhile: whatever is there is Jetty's to read
            }
            ByteBuffer peeked = BufferUtil.allocate(PEEK);
            int filled;
            try {
                filled = endPoint.fill(peeked);
            } catch (IOException e) {
                filled = -1;
            }
            if (filled == 0) {
                watching = endPoint.tryFillInterested(this);
                return;
            }
            watching = false;
            closed = filled < 0;
            if (!closed) {
                try {
                    connection.onUpgradeTo(peeked); // into its empty buffer: Jetty parses them as if it had read them
                } catch (BufferOverflowException | IllegalStateException e) {
                    closed = true; // cannot give them back: the connection is lost either way
                }
            }
        }
        if (closed) {
            ClientClosed cause = new ClientClosed();
            endPoint.close(cause);
            onClosed.accept(cause);
        }
    }

    @Override
    public void failed(Throwable x) {
        synchronized (this) {
            watching = false; // stopped, or the connection failed: Jetty tells the exchange itself
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /** Why the watch's read interest was withdrawn. */
    private static final class Stopped extends IOException {
        Stopped() {
            super("client watch stopped");
        }
    }

    /** Why the connection was closed: the client had closed its side. */
    static final class ClientClosed extends IOException {
        ClientClosed() {
            super("client closed the connection");
        }
    }
}
