package io.chaosproxy.proxy.dataplane.transport;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.http.HttpScheme;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Stream;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * How an exchange ends its client's connection, and when that connection counts as idle, whatever
 * the protocol: on HTTP/1.1 an exchange
 * owns its connection, so a drop ends the connection (RST or FIN); on HTTP/2 many exchanges share
 * one, so a reset ends only the exchange's own stream (RST_STREAM) and the others carry on.
 */
public final class ClientConnections {
    /**
     * What an injected reset says on HTTP/2: the server failed this stream, as a proxy whose
     * backend connection was reset would say (CANCEL would mean the server merely lost interest).
     */
    static final ErrorCode DROP_RESET_CODE = ErrorCode.INTERNAL_ERROR;

    private ClientConnections() {}

    /** True when the request travels on a connection shared with other requests (HTTP/2). */
    public static boolean isMultiplexed(Request request) {
        return request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_2;
    }

    /** RST_STREAM for this request's stream only; the connection and its other streams live on. */
    public static void resetStream(Request request) {
        HTTP2Stream stream = stream(request);
        if (stream != null) {
            stream.reset(new ResetFrame(stream.getId(), DROP_RESET_CODE.code), Callback.NOOP);
        }
    }

    /**
     * HTTP/2 has no Transfer-Encoding: a body of unknown length is DATA frames until END_STREAM,
     * as chunked is on HTTP/1.1. A request has none when END_STREAM came with its headers: the
     * stream is closed by the client and holds no data. (A client that sends END_STREAM only
     * later, on an empty DATA frame, is taken to send a body until that frame is there.)
     */
    public static boolean http2BodyFollows(Request request) {
        HTTP2Stream stream = stream(request);
        return stream != null && (!stream.isRemotelyClosed() || stream.getDataLength() > 0);
    }

    private static HTTP2Stream stream(Request request) {
        if (request.getConnectionMetaData().getConnection() instanceof HTTP2Connection connection) {
            try {
                // on HTTP/2 a request's id is its stream id
                return connection.getSession().getStream(Integer.parseInt(request.getId()));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Tells the idle timer of the request's connection (HTTP/1.1: the socket's endpoint, whose
     * time TLS's endpoint above it uses) or stream (HTTP/2) that there is activity now. Call it
     * just before writing to the client.
     *
     * <p>Why: Jetty fails a write that is pending when the idle timeout fires, and it reckons
     * idleness from the last read or write. After the proxy has waited on its backend (a quiet
     * event stream, a slow answer, a latency rule) the connection has been silent a while, so a
     * check that lands between the write being registered and its bytes reaching the socket
     * (microseconds, or milliseconds on a loaded machine) used to cut a healthy response. This
     * and the second look at idleness that follows the check (see {@link #isIdleNow}) narrow
     * that window to the few instructions between the look and Jetty's lock; they do not close
     * it. On HTTP/1.1 a write that stays pending for a whole idle timeout (a client that stopped
     * reading) is still failed; on HTTP/2 see {@link QuietStreams}.
     */
    public static void markActive(Request request) {
        if (isMultiplexed(request)) {
            HTTP2Stream stream = stream(request);
            if (stream != null) {
                stream.notIdle(); // a stream already gone has nothing left to time
            }
        } else if (socketEndPoint(request.getConnectionMetaData().getConnection().getEndPoint()) instanceof IdleTimeout timer) {
            timer.notIdle();
        }
    }

    /**
     * True when the connection of {@code endPoint} has seen no activity for a whole idle timeout,
     * looking now: Jetty's idle check decides on what it read a moment earlier.
     */
    public static boolean isIdleNow(EndPoint endPoint) {
        return !(socketEndPoint(endPoint) instanceof IdleTimeout timer) || timer.getIdleFor() >= timer.getIdleTimeout();
    }

    /** The same for an HTTP/2 stream, which keeps its own idle time. */
    static boolean isIdleNow(Stream stream) {
        return !(stream instanceof HTTP2Stream http2Stream) || http2Stream.getExpireNanoTime() - System.nanoTime() <= 0;
    }

    /** The endpoint that owns the socket: the one under TLS's, if any. */
    private static EndPoint socketEndPoint(EndPoint endPoint) {
        EndPoint socketEndPoint = endPoint;
        while (socketEndPoint.getTransport() instanceof EndPoint under) {
            socketEndPoint = under;
        }
        return socketEndPoint;
    }

    /** Ends the whole client connection: with a TCP RST when {@code reset}, else with a FIN. */
    public static void closeConnection(Request request, boolean reset) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (reset) {
            resetNow(endPoint);
        } else {
            endPoint.close();
        }
    }

    /**
     * A TCP RST now: SO_LINGER 0 on the socket, then closing the socket's own endpoint. Through TLS
     * too: closing the TLS endpoint would first send a close_notify, a clean end of stream that
     * would make a cut-short body look complete; so the endpoint under it is closed instead.
     */
    public static void resetNow(EndPoint endPoint) {
        EndPoint socketEndPoint = socketEndPoint(endPoint);
        if (socketEndPoint.isOpen() && socketEndPoint.getTransport() instanceof SocketChannel channel) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                // closed meanwhile: nothing left to reset
            }
        }
        socketEndPoint.close();
        endPoint.close();
    }

    /**
     * The request's scheme is the connection's: https exactly when the client came over TLS. A
     * client's own claim (HTTP/2's {@code :scheme}, an absolute-form target) must not turn into
     * {@code X-Forwarded-Proto: https} on a cleartext connection, nor the reverse.
     */
    public static final class SchemeFromConnection implements HttpConfiguration.Customizer {
        @Override
        public Request customize(Request request, org.eclipse.jetty.http.HttpFields.Mutable responseHeaders) {
            boolean secure = request.getConnectionMetaData().isSecure();
            if (request.isSecure() == secure) {
                return request;
            }
            HttpURI uri = HttpURI.build(request.getHttpURI()).scheme(secure ? HttpScheme.HTTPS : HttpScheme.HTTP).asImmutable();
            return new Request.Wrapper(request) {
                @Override
                public HttpURI getHttpURI() {
                    return uri;
                }

                @Override
                public boolean isSecure() {
                    return secure;
                }
            };
        }
    }
}
