package io.chaosproxy.proxy.testing;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A backend that is one Jetty handler, on a port of its own on 127.0.0.1. With no connection
 * factory it speaks HTTP/1.1; pass {@code new HTTP2CServerConnectionFactory(...)} for h2c.
 */
public final class LoopbackJetty implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector;

    private LoopbackJetty(Handler handler, ConnectionFactory... factories) {
        connector = factories.length == 0 ? new ServerConnector(server) : new ServerConnector(server, factories);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
    }

    public static LoopbackJetty start(Handler handler, ConnectionFactory... factories) throws Exception {
        LoopbackJetty backend = new LoopbackJetty(handler, factories);
        backend.server.start();
        return backend;
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
