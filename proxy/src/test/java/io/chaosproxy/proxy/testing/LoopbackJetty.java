package io.chaosproxy.proxy.testing;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * A backend that is one Jetty handler, on a port of its own on 127.0.0.1. With no connection
 * factory it speaks HTTP/1.1; pass {@code new HTTP2CServerConnectionFactory(...)} for h2c.
 * {@link #builder} sets what a few tests need beyond that: a thread pool of their own (tests that
 * count threads), a fixed port (a backend restarted in place), a longer accept queue.
 *
 * <p>{@link #close()} stops at once: open connections are closed, as when a process dies.
 */
public final class LoopbackJetty implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private LoopbackJetty(Builder settings) {
        server = settings.threads == null ? new Server() : new Server(settings.threads);
        ConnectionFactory[] factories = settings.factories.length == 0
                ? new ConnectionFactory[] {new HttpConnectionFactory()}
                : settings.factories;
        connector = new ServerConnector(server, settings.acceptors, settings.selectors, factories);
        connector.setHost("127.0.0.1");
        connector.setPort(settings.port);
        if (settings.acceptQueue > 0) {
            connector.setAcceptQueueSize(settings.acceptQueue);
        }
        server.addConnector(connector);
        server.setHandler(settings.handler);
        server.setStopTimeout(0);
    }

    public static LoopbackJetty start(Handler handler, ConnectionFactory... factories) throws Exception {
        return builder(handler).factories(factories).start();
    }

    public static Builder builder(Handler handler) {
        return new Builder(handler);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    public static final class Builder {
        private final Handler handler;
        private ConnectionFactory[] factories = {};
        private ThreadPool threads;
        private int acceptors = -1;
        private int selectors = -1;
        private int port;
        private int acceptQueue;

        private Builder(Handler handler) {
            this.handler = handler;
        }

        public Builder factories(ConnectionFactory... factories) {
            this.factories = factories.clone();
            return this;
        }

        /** The server's thread pool (Jetty's default otherwise). */
        public Builder threads(ThreadPool threads) {
            this.threads = threads;
            return this;
        }

        /** Acceptor and selector threads (-1: Jetty's default for this machine). */
        public Builder acceptorsAndSelectors(int acceptors, int selectors) {
            this.acceptors = acceptors;
            this.selectors = selectors;
            return this;
        }

        /** The port to bind; 0 (the default) lets the kernel pick one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder acceptQueue(int size) {
            this.acceptQueue = size;
            return this;
        }

        public LoopbackJetty start() throws Exception {
            LoopbackJetty backend = new LoopbackJetty(this);
            backend.server.start();
            return backend;
        }
    }
}
