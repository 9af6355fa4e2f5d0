package io.chaosproxy.proxy.dataplane.tcp;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;

/**
 * One socket of a tunnel, the client's or the backend's, as a Jetty connection: when it has bytes
 * to read, the direction reading it is resumed; when it closes, the tunnel hears of it.
 *
 * <p>Non-blocking: the pump only reads, hands a chunk to the stages and writes, waits being
 * scheduled, so Jetty runs it on the selector thread that saw the bytes instead of handing it to
 * a pool thread. That handoff was most of what the proxy added to a round trip (TcpBench, same
 * loaded machine: added p50 about 90 µs with it, about 30 µs without).
 */
final class PipeEnd extends AbstractConnection.NonBlocking {
    private final TcpTunnel tunnel;
    private final boolean client;
    private volatile Flow reading;

    PipeEnd(EndPoint endPoint, Executor executor, TcpTunnel tunnel, boolean client) {
        super(endPoint, executor);
        this.tunnel = tunnel;
        this.client = client;
    }

    boolean isClient() {
        return client;
    }

    /** The direction that reads this end; set once both ends exist. */
    void readBy(Flow direction) {
        this.reading = direction;
    }

    @Override
    public void onOpen() {
        super.onOpen();
        if (client) {
            tunnel.clientOpened();
        }
    }

    @Override
    public void onFillable() {
        Flow direction = reading;
        if (direction != null) {
            direction.readMore();
        }
    }

    /**
     * A TCP proxy has no idle timeout of its own (a pooled connection may idle for an hour); only
     * a stopping proxy sets one, to close its idle connections.
     */
    @Override
    public boolean onIdleExpired(TimeoutException timeout) {
        return tunnel.stopping();
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        tunnel.closed(this, cause);
    }
}
