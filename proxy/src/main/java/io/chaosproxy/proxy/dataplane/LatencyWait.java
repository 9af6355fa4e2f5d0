package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultDecision;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A latency an exchange waits out (a scheduled task, no thread): a client-side latency before the
 * exchange goes on, or an after-backend latency holding the backend's answer. It ends early when
 * the client leaves (noticed now, not when the wait would have ended) or when a reset removes the
 * rules that fired; {@code stopped} then lets go of what the wait held.
 */
final class LatencyWait implements Runnable {
    private final Exchange exchange;
    private final Runnable then;
    private final Runnable stopped;
    private volatile ScheduledFuture<?> wait;
    private volatile Runnable unmark = () -> { };

    private LatencyWait(Exchange exchange, Runnable then, Runnable stopped) {
        this.exchange = exchange;
        this.then = then;
        this.stopped = stopped;
    }

    /**
     * Waits {@code delayMs} for the latencies of {@code decision}, then runs {@code then} on the
     * scheduler thread (it must not block); {@code stopped} runs instead, before the exchange is
     * ended, if the client leaves or a reset comes first.
     */
    static void start(Exchange exchange, FaultDecision decision, long delayMs, Runnable then, Runnable stopped) {
        start(exchange, decision, delayMs, then, stopped, exchange.proxy.core().resets());
    }

    /** As above, for a decision made when {@link ProxyCore#resets()} was {@code resetsBefore}: a reset since then ends it at once. */
    static void start(Exchange exchange, FaultDecision decision, long delayMs, Runnable then, Runnable stopped, long resetsBefore) {
        LatencyWait latency = new LatencyWait(exchange, then, stopped);
        ProxyCore core = exchange.proxy.core();
        latency.wait = core.scheduler().schedule(latency, delayMs, TimeUnit.MILLISECONDS);
        latency.unmark = core.waitingOut(decision, () -> latency.stopThen(() -> exchange.end(UpstreamAttempt.ENDED_BY_RESET)),
                resetsBefore);
        exchange.onClientGone(() -> latency.stopThen(exchange::giveUp));
    }

    private void stopThen(Runnable ending) {
        if (wait.cancel(false)) {
            unmark.run();
            stopped.run();
            ending.run();
        }
    }

    @Override
    public void run() {
        unmark.run();
        then.run();
    }
}
