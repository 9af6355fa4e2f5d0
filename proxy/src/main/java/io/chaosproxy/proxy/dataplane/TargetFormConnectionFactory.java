package io.chaosproxy.proxy.dataplane;

import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 connections that remember the form of the last request target. Jetty fills in the
 * authority of an origin-form target from the Host header, so afterwards an absolute-form target
 * ({@code GET http://elsewhere/}, the mark of a forward-proxy client) can no longer be told apart.
 */
final class TargetFormConnectionFactory extends HttpConnectionFactory {

    TargetFormConnectionFactory(HttpConfiguration configuration) {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        TargetFormConnection connection = new TargetFormConnection(getHttpConfiguration(), connector, endPoint);
        connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(connection, connector, endPoint);
    }

    /** True when the request being handled on {@code connection} used an absolute-form target. */
    static boolean isAbsoluteForm(Connection connection) {
        return connection instanceof TargetFormConnection c && c.absoluteForm;
    }

    private static final class TargetFormConnection extends HttpConnection {
        // HTTP/1.1 handles one request at a time per connection, so one field suffices.
        private volatile boolean absoluteForm;

        TargetFormConnection(HttpConfiguration configuration, Connector connector, EndPoint endPoint) {
            super(configuration, connector, endPoint);
        }

        @Override
        protected HttpStreamOverHTTP1 newHttpStream(String method, String uri, HttpVersion version) {
            absoluteForm = uri != null && !uri.startsWith("/") && !uri.equals("*");
            return super.newHttpStream(method, uri, version);
        }
    }
}
