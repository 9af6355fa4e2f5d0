package io.chaosproxy.junit;

import io.chaosproxy.proxy.ChaosProxyServer;
import java.util.List;
import java.util.function.Consumer;

/**
 * How to start an in-process proxy, as {@link ChaosProxy.Builder} or {@link ChaosProxyConfig}
 * described it: the settings as steps on a {@link ChaosProxyServer.Builder}, every value already
 * checked when it was given, replayed on a fresh server builder at each start.
 */
record Blueprint(List<Consumer<ChaosProxyServer.Builder>> steps, boolean resetBeforeEach, TimelineReport timelineReport) {

    Blueprint {
        steps = List.copyOf(steps);
    }

    /** A server builder with every setting applied. */
    ChaosProxyServer.Builder server() {
        ChaosProxyServer.Builder server = ChaosProxyServer.builder();
        steps.forEach(step -> step.accept(server));
        return server;
    }
}
