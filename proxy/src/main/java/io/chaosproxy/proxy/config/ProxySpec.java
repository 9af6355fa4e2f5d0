package io.chaosproxy.proxy.config;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One named proxy: where it listens, what it speaks and the backends it forwards to (round-robin).
 *
 * <p>An empty upstream list is allowed only for a proxy that will get one later
 * ({@code proxy.upstream(...)} in a test); until then its clients get 502 (TCP: the connection
 * is closed at once).
 */
public record ProxySpec(String name, HostPort listen, List<URI> upstreams, ProxyProtocol protocol) {

    public static final String DEFAULT_NAME = "default";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public ProxySpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("proxy name must be 1-64 characters of A-Z a-z 0-9 . _ -, got '" + name + "'");
        }
        if (listen == null) {
            throw new IllegalArgumentException("proxy '" + name + "' needs a listen address");
        }
        protocol = protocol == null ? ProxyProtocol.HTTP : protocol;
        upstreams = List.copyOf(upstreams);
        for (URI upstream : upstreams) {
            Upstreams.validate(upstream, protocol);
        }
    }

    /** An HTTP proxy. */
    public ProxySpec(String name, HostPort listen, List<URI> upstreams) {
        this(name, listen, upstreams, ProxyProtocol.HTTP);
    }

    /** A TCP proxy in front of {@code upstreams}, each {@code tcp://host:port} or {@code host:port}. */
    public static ProxySpec tcp(String name, HostPort listen, List<String> upstreams) {
        return new ProxySpec(name, listen, upstreams.stream().map(Upstreams::parseTcp).toList(), ProxyProtocol.TCP);
    }
}
