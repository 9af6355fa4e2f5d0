package io.chaosproxy.proxy.dataplane;

import java.io.IOException;
import java.net.Socket;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;

/**
 * How many bytes of an attempt's answer have reached the proxy and wait to be read: the relay
 * passes on in one write what OkHttp reads from the socket 8 KiB at a time (okio's segment size),
 * and never waits for bytes that have not arrived. A 64 KiB body that has arrived whole goes to the
 * client in two writes instead of eight.
 *
 * <p>Known only on an HTTP/1 connection, whose socket carries this answer alone; an HTTP/2
 * connection's socket also carries other streams' frames, so there it stays unknown (0).
 * {@link #INTERCEPTOR}, a network interceptor, notes the socket once OkHttp has picked the
 * connection; the instance rides on the attempt's {@link AttemptTag}.
 */
final class ArrivedBytes {
    /** Notes the HTTP/1 socket of the call's connection in the call's {@link AttemptTag}. */
    static final Interceptor INTERCEPTOR = chain -> {
        AttemptTag tag = chain.request().tag(AttemptTag.class);
        Connection connection = chain.connection();
        if (tag != null && connection != null
                && (connection.protocol() == Protocol.HTTP_1_1 || connection.protocol() == Protocol.HTTP_1_0)) {
            tag.arrived().socket = connection.socket();
        }
        return chain.proceed(chain.request());
    };

    private volatile Socket socket;

    /**
     * Bytes waiting in the socket now: reading up to that many does not block. 0 when unknown or
     * when the socket failed (the next read reports the failure).
     */
    int waiting() {
        Socket current = socket;
        if (current == null) {
            return 0;
        }
        try {
            return current.getInputStream().available();
        } catch (IOException e) {
            return 0;
        }
    }
}
