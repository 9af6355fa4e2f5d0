package io.chaosproxy.proxy.dataplane.tcp;

import io.chaosproxy.proxy.dataplane.ProxyRuntime;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;

/** The listener side of a TCP proxy: every accepted connection becomes a {@link TcpTunnel}. */
final class TcpConnectionFactory extends AbstractConnectionFactory {
    private final TcpPipes pipes;
    private final ProxyRuntime proxy;

    TcpConnectionFactory(TcpPipes pipes, ProxyRuntime proxy) {
        super("tcp");
        this.pipes = pipes;
        this.proxy = proxy;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        TcpTunnel tunnel = pipes.newTunnel(proxy, connector, endPoint);
        return configure(tunnel.clientEnd(), connector, endPoint);
    }
}
