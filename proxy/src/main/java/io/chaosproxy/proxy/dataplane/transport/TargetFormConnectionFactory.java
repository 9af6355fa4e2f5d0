package io.chaosproxy.proxy.dataplane.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * HTTP/1.1 connections that remember the form of the last request target, and that give a client
 * a fixed time to send a whole request head.
 *
 * <p>The target form: Jetty fills in the authority of an origin-form target from the Host header,
 * so afterwards an absolute-form target ({@code GET http://elsewhere/}, the mark of a forward-proxy
 * client) can no longer be told apart.
 *
 * <p>The head deadline: the idle timeout restarts with every byte, so a slow-loris client that
 * trickles its headers a byte at a time would hold a connection for hours. Once the first byte of
 * a request has arrived, the rest of its head must follow within the deadline, or the client is
 * answered 408 and the connection closed. A connection idle between requests is the idle timeout's business, not this one's.
 *
 * <p>The idle timeout ({@link TargetFormConnection#onIdleExpired}): during a graceful stop, an
 * exchange in progress is not cut by Jetty's one-second shutdown idle timeout; and a timeout whose
 * check was overtaken by a write that just began does not fail that write.
 */
public final class TargetFormConnectionFactory extends HttpConnectionFactory {
    private final long headDeadlineMillis;

    TargetFormConnectionFactory(HttpConfiguration configuration, Duration headDeadline) {
        super(configuration);
        this.headDeadlineMillis = headDeadline.toMillis();
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        TargetFormConnection connection = new TargetFormConnection(getHttpConfiguration(), connector, endPoint, headDeadlineMillis);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    /** True when the request being handled on {@code connection} used an absolute-form target. */
    public static boolean isAbsoluteForm(Connection connection) {
        return connection instanceof TargetFormConnection c && c.absoluteForm;
    }

    private static final class TargetFormConnection extends HttpConnection {
        private final Scheduler scheduler;
        private final long headDeadlineMillis;
        // HTTP/1.1 handles one request at a time per connection, so one field suffices.
        private volatile boolean absoluteForm;
        private Scheduler.Task headDeadline; // guarded by this

        TargetFormConnection(HttpConfiguration configuration, Connector connector, EndPoint endPoint, long headDeadlineMillis) {
            super(configuration, connector, endPoint);
            this.scheduler = connector.getScheduler();
            this.headDeadlineMillis = headDeadlineMillis;
        }

        @Override
        protected HttpStreamOverHTTP1 newHttpStream(String method, String uri, HttpVersion version) {
            absoluteForm = uri != null && !uri.startsWith("/") && !uri.equals("*");
            return super.newHttpStream(method, uri, version);
        }

        /** Every read ends here: look whether a request head is now under way, or no longer. */
        @Override
        public void onFillable() {
            super.onFillable();
            watchRequestHead();
        }

        /**
         * A graceful stop gives every endpoint a one-second idle timeout, and an idle timeout fails a
         * pending write or read outright: an exchange still streaming to a slow reader, or reading a
         * slow upload, would be cut a second into the drain. While the proxy drains, an exchange in
         * progress is bounded by the stop timeout instead; connections between requests still close.
         * And an expiry whose check a write has just overtaken is not idleness (see
         * {@link ClientConnections#markActive}).
         */
        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            boolean exchangeInProgress = getHttpChannel().getRequest() != null;
            if (getConnector() instanceof AbstractConnector connector && connector.isShutdown() && exchangeInProgress) {
                return false;
            }
            if (exchangeInProgress && !ClientConnections.isIdleNow(getEndPoint())) {
                // Stale: the check measured idleness before a write began (see
                // ClientConnections.markActive), and Jetty fails any write pending when a timeout
                // comes. Not idle, then: Jetty looks again after a whole idle timeout.
                return false;
            }
            return super.onIdleExpired(timeout);
        }

        @Override
        public void onClose(Throwable cause) {
            synchronized (this) {
                cancelHeadDeadline();
            }
            super.onClose(cause);
        }

        private void watchRequestHead() {
            boolean midHead = isMidHead(getParser());
            synchronized (this) {
                if (midHead && headDeadline == null && headDeadlineMillis > 0) {
                    headDeadline = scheduler.schedule(this::headDeadlinePassed, headDeadlineMillis, TimeUnit.MILLISECONDS);
                } else if (!midHead) {
                    cancelHeadDeadline();
                }
            }
        }

        /** Part of a request head has arrived, but not all of it. */
        private static boolean isMidHead(HttpParser parser) {
            return parser.inHeaderState() && !parser.isStart();
        }

        private void headDeadlinePassed() {
            synchronized (this) {
                headDeadline = null;
            }
            if (isMidHead(getParser())) {
                // RFC 9110 section 15.5.9: say why before closing; no request exists yet to answer through Jetty
                String why = "request head not complete within " + headDeadlineMillis + " ms";
                String body = "{\"error\":\"" + why + "\"}";
                String answer = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body;
                TimeoutException cause = new TimeoutException(why);
                getEndPoint().write(Callback.from(() -> getEndPoint().close(cause), failure -> getEndPoint().close(cause)),
                        ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)));
            }
        }

        private void cancelHeadDeadline() {
            if (headDeadline != null) {
                headDeadline.cancel();
                headDeadline = null;
            }
        }
    }
}
