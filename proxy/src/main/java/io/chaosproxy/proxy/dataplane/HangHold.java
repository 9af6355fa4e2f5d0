package io.chaosproxy.proxy.dataplane;

import io.chaosproxy.faults.FaultEngine;
import io.chaosproxy.faults.InstalledRule;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An exchange, or one attempt of it, held by a hang rule: it goes on, once, when the rule is
 * removed or its {@code durationMs} runs out, unless {@link #release() released} first (the client
 * left, the attempt timed out); a reset that removes the rule ends it instead.
 *
 * <p>Nothing waits on a thread: the hold is a callback in the {@link HangRegistry}, plus a timer
 * for a rule that can expire. The engine drops an expired rule only when something looks, and the
 * removal is what releases the holds; a held exchange cannot count on another request looking, so
 * the timer looks when the rule's time is up.
 */
final class HangHold {
    private final FaultEngine faults;
    private final ScheduledExecutorService scheduler;
    private final InstalledRule rule;
    private final Runnable goOn;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Runnable unpark;
    private volatile ScheduledFuture<?> expiryLook;

    HangHold(FaultEngine faults, ScheduledExecutorService scheduler, HangRegistry hangs, InstalledRule rule, Runnable goOn,
             Runnable end, java.util.function.BooleanSupplier resetSinceDecided) {
        this.faults = faults;
        this.scheduler = scheduler;
        this.rule = rule;
        this.goOn = goOn;
        Runnable endOnce = () -> {
            if (settled.compareAndSet(false, true)) {
                stopLooking();
                end.run();
            }
        };
        this.unpark = hangs.park(rule.id(), this::goOnOnce, endOnce);
        if (rule.expiresAt() != null) {
            lookWhenExpired();
        }
        if (faults.find(rule.id()).isEmpty()) {
            // the rule went away while we were parking: nothing will release us, so go on now,
            // or end now if a reset removed it
            unpark.run();
            if (resetSinceDecided.getAsBoolean()) {
                endOnce.run();
            } else {
                goOnOnce();
            }
        }
    }

    /** Ends the hold without going on; true when it did, false when the exchange had gone on already. */
    boolean release() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        unpark.run();
        stopLooking();
        return true;
    }

    /** Released by the rule's removal and by the check after parking, maybe both: go on once. */
    private void goOnOnce() {
        if (settled.compareAndSet(false, true)) {
            stopLooking();
            goOn.run();
        }
    }

    private void lookWhenExpired() {
        long waitMillis = Math.max(0, Duration.between(faults.clock().instant(), rule.expiresAt()).toMillis());
        // a millisecond late rather than early: the scheduler and the engine keep different clocks
        expiryLook = scheduler.schedule(() -> {
            // looking prunes the expired rule, and its removal releases this hold
            if (!settled.get() && faults.find(rule.id()).isPresent()) {
                lookWhenExpired(); // woke early: look again
            }
        }, waitMillis + 1, TimeUnit.MILLISECONDS);
    }

    private void stopLooking() {
        ScheduledFuture<?> pending = expiryLook;
        if (pending != null) {
            pending.cancel(false);
        }
    }
}
