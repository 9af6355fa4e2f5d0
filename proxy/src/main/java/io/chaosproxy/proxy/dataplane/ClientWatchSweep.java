package io.chaosproxy.proxy.dataplane;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the {@link ClientWatch} of the HTTP/1.1 exchanges that last. Most exchanges are over in
 * a millisecond, and a watch costs each one a trip through Jetty's selector: a read interest
 * registered, then withdrawn. In a benchmark that was a tenth of the proxy's CPU. So an exchange
 * is queued when it starts, and a sweep watches the queued exchanges that are still going after
 * {@link #GRACE_NANOS}. Exchanges that are held (a latency, a hang, a backoff) do not wait for the
 * sweep: they are watched as soon as the hold begins (see {@link Exchange#watchClient}).
 *
 * <p>Exchanges start in time order, so the queue is in time order too. A sweep stops at the first
 * exchange that is still young. A sweep is scheduled only while something is queued, so an idle
 * proxy does no sweeping at all.
 */
final class ClientWatchSweep {
    /** How long an exchange may go unwatched: how late a client that left a slow backend is noticed. */
    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ScheduledExecutorService scheduler;
    private final Queue<Exchange> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    ClientWatchSweep(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Watches {@code exchange}'s client if the exchange is still going after the grace period. */
    void watchIfItLasts(Exchange exchange) {
        queued.offer(exchange);
        if (sweepScheduled.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        Exchange oldest;
        while ((oldest = queued.peek()) != null && now - oldest.startNanos >= GRACE_NANOS) {
            queued.poll();
            oldest.watchClient(); // nothing happens if the exchange has completed
        }
        // lowered before looking: an exchange queued after the look schedules the next sweep itself
        sweepScheduled.set(false);
        if (!queued.isEmpty() && sweepScheduled.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }

    private void scheduleSweep() {
        try {
            scheduler.schedule(this::sweep, GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            queued.clear(); // the proxy is stopping: every exchange ends with it
        }
    }
}
