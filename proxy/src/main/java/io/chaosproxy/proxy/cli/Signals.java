package io.chaosproxy.proxy.cli;

import java.util.List;

/**
 * SIGTERM and SIGINT: run {@code drainAndStop} once on its own thread. A plain shutdown hook cannot
 * give exit code 0 after a graceful drain: the JVM then exits with 143 whatever the hook does.
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("removal")
    static void onTermination(Runnable drainAndStop) {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> new Thread(drainAndStop, "chaos-proxy-shutdown").start());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                Runtime.getRuntime().addShutdownHook(new Thread(drainAndStop));
            }
        }
    }
}
