package io.chaosproxy.proxy.dataplane.transport;

import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.util.Promise;

/**
 * An HTTP/2 stream that is quiet for longer than the idle timeout (an event stream, a gRPC server
 * stream waiting for news) is not reset for it, as an HTTP/1.1 connection is not.
 *
 * <p>Why this is needed: Jetty hands a stream's first idle timeout to the exchange, which ignores it
 * (see {@code DataPlane}); but Jetty resets the stream (CANCEL) at every later timeout without
 * asking. So only the first timeout of a stream goes to Jetty, which fails a write or a read that
 * is stuck at that moment (a client that stopped reading). The price: a client that stops reading
 * only after its stream's first quiet period is not cut by the idle timeout, only by its own
 * disconnect. A timeout whose check was overtaken by a write that just began (see
 * {@link ClientConnections#markActive}) is not idleness at all, and does not count as that first one.
 */
final class QuietStreams {
    private static final String FIRST_TIMEOUT_SEEN = QuietStreams.class.getName() + ".firstTimeoutSeen";

    private QuietStreams() {}

    /** {@code jetty} is Jetty's own handling; {@code promise} told false keeps the stream and its timer. */
    static void onIdleTimeout(Stream stream, Promise<Boolean> promise, Runnable jetty) {
        if (!ClientConnections.isIdleNow(stream) || stream.getAttribute(FIRST_TIMEOUT_SEEN) != null) {
            promise.succeeded(false);
            return;
        }
        stream.setAttribute(FIRST_TIMEOUT_SEEN, Boolean.TRUE);
        jetty.run();
    }
}
