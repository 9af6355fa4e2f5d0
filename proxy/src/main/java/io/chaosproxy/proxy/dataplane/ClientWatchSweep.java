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
 * registered, then withdrawn. In a benchmark that was a tenth of the proxy's CPU. So each exchange
 * takes a {@link Ticket} when it starts, and a sweep watches the exchanges whose tickets are still
 * valid {@link #GRACE_NANOS} later. An exchange gives its ticket back when it completes, so the
 * queue keeps no finished exchange alive. Exchanges that are held (a latency, a hang, a backoff)
 * do not wait for the sweep: they are watched as soon as the hold begins (see
 * {@link Exchange#watchClient}).
 *
 * <p>Sweeps come every {@link #GRACE_NANOS} while tickets are queued, so an exchange is watched
 * between one and two grace periods after it starts; an idle proxy does no sweeping at all. (A
 * sweep timed to each ticket's due moment would run thousands of times a second under load.)
 * Tickets are taken in roughly the order the exchanges start, so a sweep stops at the first one
 * that is still young. Sweeps run on the one scheduler thread, never two at once.
 */
final class ClientWatchSweep {
    /** How long an exchange may go unwatched: how late a client that left a slow backend is noticed. */
    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** One exchange's place in the queue; cancelled when the exchange completes. */
    static final class Ticket {
        private final long takenNanos = System.nanoTime();
        private volatile Exchange exchange;

        private Ticket(Exchange exchange) {
            this.exchange = exchange;
        }

        void cancel() {
            exchange = null;
        }
    }

    private final ScheduledExecutorService scheduler;
    private final Queue<Ticket> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    ClientWatchSweep(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** A ticket for {@code exchange}: its client is watched if the ticket is still valid after the grace period. */
    Ticket watchIfItLasts(Exchange exchange) {
        Ticket ticket = new Ticket(exchange);
        queued.offer(ticket);
        if (sweepScheduled.compareAndSet(false, true)) {
            scheduleSweep();
        }
        return ticket;
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            Ticket oldest;
            while ((oldest = queued.peek()) != null && now - oldest.takenNanos >= GRACE_NANOS) {
                queued.poll();
                Exchange exchange = oldest.exchange;
                if (exchange != null) {
                    exchange.watchClient();
                }
            }
        } finally {
            // lowered before looking: a ticket queued after the look schedules the next sweep itself
            sweepScheduled.set(false);
            if (!queued.isEmpty() && sweepScheduled.compareAndSet(false, true)) {
                scheduleSweep();
            }
        }
    }

    private void scheduleSweep() {
        try {
            scheduler.schedule(this::sweep, GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the proxy is stopping: every exchange ends with it
            queued.clear();
            sweepScheduled.set(false);
        }
    }
}
