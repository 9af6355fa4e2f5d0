package io.chaosproxy.proxy.dataplane;

import org.eclipse.jetty.server.ConnectionFactory;

/**
 * Makes the Jetty connection factory of a TCP proxy's listener; implemented by the TCP pipe
 * ({@code io.chaosproxy.proxy.dataplane.tcp}), which depends on this package and not the reverse.
 */
public interface TcpListeners extends AutoCloseable {
    ConnectionFactory newConnectionFactory(ProxyRuntime proxy);

    /** Frees what the TCP pipes share (their backend connector). */
    @Override
    void close();
}
