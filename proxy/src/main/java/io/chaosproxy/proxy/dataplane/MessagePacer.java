package io.chaosproxy.proxy.dataplane;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Delivers a WebSocket's messages in the order they came, each no earlier than its due time: the
 * latency fault's delay after it arrived, and for a bandwidth fault, after the messages before it
 * had time to pass at that rate. Without faults a message is delivered at once, on the thread that
 * brought it.
 *
 * <p>Nothing waits on a thread: a message that is not due yet waits in the queue, and the queue's
 * head has a timer on the shared scheduler. Deliveries must not block (they hand a frame to Jetty).
 */
final class MessagePacer {
    private record Due(long dueNanos, Runnable delivery) {}

    private final ScheduledExecutorService scheduler;
    private final long delayNanos;
    private final long bytesPerSecond; // 0 = unthrottled
    private final ArrayDeque<Due> queue = new ArrayDeque<>();
    private long lastDueNanos = Long.MIN_VALUE;
    private boolean open;     // held until the client side of the session is open
    private boolean draining; // one thread delivers at a time, so order holds
    private boolean stopped;
    private ScheduledFuture<?> timer;

    MessagePacer(ScheduledExecutorService scheduler, long delayMillis, long bytesPerSecond) {
        this.scheduler = scheduler;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Queues one delivery of {@code bytes} payload bytes; a close or a failure passes with 0. */
    void submit(long bytes, Runnable delivery) {
        changeThenDrain(() -> {
            if (stopped) {
                return;
            }
            long due = Math.max(lastDueNanos, System.nanoTime() + delayNanos);
            if (bytesPerSecond > 0) {
                due += Pacing.nanosFor(bytes, bytesPerSecond);
            }
            lastDueNanos = due;
            queue.add(new Due(due, delivery));
        });
    }

    /** The client side is open: what waited for it may go. */
    void open() {
        changeThenDrain(() -> open = true);
    }

    /** The session is over: what is still queued is never delivered. */
    synchronized void stop() {
        stopped = true;
        queue.clear();
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private boolean claimDrain() {
        if (!open || draining || stopped) {
            return false;
        }
        draining = true;
        return true;
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                Due head = queue.peek();
                if (head == null || stopped) {
                    draining = false;
                    return;
                }
                long wait = head.dueNanos() - System.nanoTime();
                if (wait > 0) {
                    draining = false;
                    if (timer == null || timer.isDone()) {
                        timer = scheduler.schedule(this::drainWhenDue, wait, TimeUnit.NANOSECONDS);
                    }
                    return;
                }
                queue.poll();
                next = head.delivery();
            }
            next.run(); // outside the lock: it calls into Jetty
        }
    }

    private void drainWhenDue() {
        changeThenDrain(() -> timer = null);
    }

    /** Makes {@code change} under the lock, then delivers what is due, unless another thread already does. */
    private void changeThenDrain(Runnable change) {
        boolean drainHere;
        synchronized (this) {
            change.run();
            drainHere = claimDrain();
        }
        if (drainHere) {
            drain();
        }
    }
}
