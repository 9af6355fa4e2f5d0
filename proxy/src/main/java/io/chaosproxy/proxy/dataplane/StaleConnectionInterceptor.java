package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.proxy.resilience.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * Tells a backend's ordinary closing of an idle keep-alive connection apart from a failure of the
 * backend. A pooled connection the backend has closed fails the next request sent on it; that is
 * nobody's fault and the request may be sent again on a new connection, as RFC 9112 section 9.3.1
 * allows: an idempotent request whenever the reused connection failed before any response, any
 * other request only when it is known not to have reached the backend, which is checked here just
 * before a non-idempotent request is written (the backend's FIN is already there).
 *
 * <p>Why not OkHttp's {@code retryOnConnectionFailure}: it also replays requests after failures of
 * fresh connections (hiding a failing backend from its breaker) and checks pooled connections only
 * after ten idle seconds, far longer than the idle timeout of many servers (Node.js: 5 s).
 */
final class StaleConnectionInterceptor implements Interceptor {
    static final StaleConnectionInterceptor INSTANCE = new StaleConnectionInterceptor();

    /** How long a non-idempotent request waits to learn whether an HTTP/1.1 connection it reuses is still open. */
    private static final int LIVENESS_CHECK_MILLIS = 1;

    /** A reused connection failed before any response: the request may be sent again on a new connection. */
    static final class StaleConnectionException extends IOException {
        /** True when nothing of the request was written: safe to send again whatever the method. */
        final boolean beforeWrite;

        StaleConnectionException(String message, boolean beforeWrite, Throwable cause) {
            super(message, cause);
            this.beforeWrite = beforeWrite;
        }

        /** Whether a request with {@code method} may be sent again after this failure. */
        boolean allowsResend(String method) {
            return beforeWrite || RetryPolicy.isIdempotent(method);
        }
    }

    /** Connections that have carried a response: a failure on one of these may be a stale connection. */
    private final Map<Connection, Boolean> served = Collections.synchronizedMap(new WeakHashMap<>());

    private StaleConnectionInterceptor() {}

    @Override
    public Response intercept(Chain chain) throws IOException {
        Connection connection = chain.connection();
        boolean reused = connection != null && served.containsKey(connection);
        if (reused && connection.protocol() != Protocol.HTTP_2 && connection.protocol() != Protocol.H2_PRIOR_KNOWLEDGE
                && !RetryPolicy.isIdempotent(chain.request().method())
                && closedByPeer(connection.socket())) {
            connection.socket().close(); // OkHttp's pool sees a closed socket as unhealthy and drops it
            throw new StaleConnectionException("the backend had closed the pooled connection", true, null);
        }
        Response response;
        try {
            response = chain.proceed(chain.request());
        } catch (IOException e) {
            if (reused && !(e instanceof SocketTimeoutException) && !(e instanceof ClientRequestBody.ClientBodyException)
                    && !chain.call().isCanceled()) {
                throw new StaleConnectionException("pooled connection failed before a response: " + e.getMessage(), false, e);
            }
            throw e;
        }
        if (connection != null) {
            served.put(connection, Boolean.TRUE);
        }
        return response;
    }

    /**
     * True when the backend has closed an idle HTTP/1.1 connection (end of stream, or a reset). An
     * idle connection has nothing to read, so the one-byte read can only find its end, or time out.
     */
    private static boolean closedByPeer(Socket socket) {
        try {
            int timeout = socket.getSoTimeout();
            try {
                socket.setSoTimeout(LIVENESS_CHECK_MILLIS);
                InputStream in = socket.getInputStream();
                in.read(); // -1: closed; a byte: the connection is out of step, unusable either way
                return true;
            } finally {
                socket.setSoTimeout(timeout);
            }
        } catch (SocketTimeoutException e) {
            return false; // nothing to read: alive
        } catch (IOException e) {
            return true;
        }
    }
}
