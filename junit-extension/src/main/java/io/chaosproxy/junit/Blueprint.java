package io.chaosproxy.junit;

import io.chaosproxy.proxy.config.ListenerTls;
import io.chaosproxy.proxy.config.UpstreamTls;
import io.chaosproxy.proxy.config.HostPort;
import io.chaosproxy.proxy.config.ResilienceSettings;
import java.net.URI;
import java.util.List;

/**
 * How to start an in-process proxy, as {@link ChaosProxy.Builder} or {@link ChaosProxyConfig}
 * described it; every value was checked when it was given.
 */
record Blueprint(HostPort listen, List<URI> upstreams, List<Named> proxies, ResilienceSettings resilience,
                 Long seed, boolean resetBeforeEach, ListenerTls listenerTls, UpstreamTls upstreamTls) {

    Blueprint {
        upstreams = List.copyOf(upstreams);
        proxies = List.copyOf(proxies);
    }

    /** A named proxy besides the default one. */
    record Named(String name, HostPort listen, List<URI> upstreams) {
        Named {
            upstreams = List.copyOf(upstreams);
        }
    }
}
