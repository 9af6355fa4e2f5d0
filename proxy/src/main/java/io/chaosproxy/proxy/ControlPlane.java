package io.chaosproxy.proxy;

import io.chaosproxy.proxy.config.HostPort;
import java.io.IOException;
import java.net.URI;

/**
 * A server's control API as the server sees it: started after the proxies, closed before them.
 *
 * <p>The server finds the one {@link Starter} with {@link java.util.ServiceLoader} (registered in
 * {@code META-INF/services}), so the control API depends on the server and never the reverse.
 */
public interface ControlPlane extends AutoCloseable {
    /** The base URL, with the real port even when port 0 was asked for. */
    URI url();

    /**
     * Returns once the control API serves calls (its port is bound before, so calls made meanwhile
     * wait for it); throws when it could not start.
     */
    void awaitStarted() throws IOException;

    /** Idempotent. */
    @Override
    void close();

    /** Opens a server's control plane on {@code listen}; a bind failure is a {@code PortInUseException}. */
    interface Starter {
        ControlPlane start(ChaosProxyServer server, HostPort listen, String tokenOrNull) throws IOException;
    }
}
